#pragma once

#include "gateway/core/DomainError.h"

#include <catch2/catch.hpp>

#include <functional>

namespace Hookgate::Test {

/// The DomainError `action` throws; fails the test when it throws none.
inline DomainError refusalOf(const std::function<void()>& action)
{
	try
	{
		action();
	}
	catch (const DomainError& e)
	{
		return e;
	}
	FAIL("accepted: no DomainError was thrown");
	return DomainError(DomainError::Code::ValidationFailed, "", "");
}

} // namespace Hookgate::Test
