#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace Hookgate::Fuzz {

/// The fuzzer's bytes cut at NUL bytes into at most `count` parts (the last one takes the rest,
/// NULs included); missing parts are empty. Lets one input carry several fields.
inline std::vector<std::string> parts(const std::uint8_t* data, std::size_t size, std::size_t count)
{
	std::vector<std::string> result;
	const std::string text(reinterpret_cast<const char*>(data), size);
	std::size_t start = 0;
	while (result.size() + 1 < count)
	{
		const std::size_t nul = text.find('\0', start);
		if (nul == std::string::npos) break;
		result.push_back(text.substr(start, nul - start));
		start = nul + 1;
	}
	result.push_back(start <= text.size() ? text.substr(start) : std::string());
	result.resize(count);
	return result;
}

} // namespace Hookgate::Fuzz

namespace Hookgate::Fuzz {

/// text without the JSON whitespace around it: the span of a value, as the server stores `data`.
inline std::string trimmed(const std::string& text)
{
	const std::size_t first = text.find_first_not_of(" \t\r\n");
	if (first == std::string::npos) return std::string();
	return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace Hookgate::Fuzz
