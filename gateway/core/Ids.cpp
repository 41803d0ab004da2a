#include "gateway/core/Ids.h"

#include <random>

namespace Hookgate {

namespace {

const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";  // in ASCII order

void appendRandom(std::string& id, std::size_t length)
{
	thread_local std::mt19937_64 rng([] {
		std::random_device device;
		std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
		return std::mt19937_64(seed);
	}());
	std::uniform_int_distribution<int> pick(0, 61);
	for (std::size_t i = 0; i < length; ++i) id += ALPHABET[pick(rng)];
}

} // namespace

std::string Ids::make(const std::string& prefix, std::size_t length)
{
	std::string id = prefix;
	id.reserve(prefix.size() + length);
	appendRandom(id, length);
	return id;
}

std::string Ids::makeTimeOrdered(const std::string& prefix, Poco::Int64 millis)
{
	const std::size_t TIME_DIGITS = 8;  // 62^8 ms: until the year 8888
	std::string id = prefix;
	id.reserve(prefix.size() + 24);
	id.append(TIME_DIGITS, '0');
	auto value = static_cast<Poco::UInt64>(millis < 0 ? 0 : millis);
	for (std::size_t i = 0; i < TIME_DIGITS; ++i)
	{
		id[prefix.size() + TIME_DIGITS - 1 - i] = ALPHABET[value % 62];
		value /= 62;
	}
	appendRandom(id, 24 - TIME_DIGITS);
	return id;
}

} // namespace Hookgate
