#include "gateway/Ids.h"

#include <random>

namespace Hookgate {

std::string Ids::make(const std::string& prefix, std::size_t length)
{
	static const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	thread_local std::mt19937_64 rng([] {
		std::random_device device;
		std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
		return std::mt19937_64(seed);
	}());
	std::uniform_int_distribution<int> pick(0, 61);
	std::string id = prefix;
	id.reserve(prefix.size() + length);
	for (std::size_t i = 0; i < length; ++i) id += ALPHABET[pick(rng)];
	return id;
}

} // namespace Hookgate
