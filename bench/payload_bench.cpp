// Payloads built per second for a ~2 KB booking event, in each hierarchy.
//
// A figure, not a test: build in Release (-DCMAKE_BUILD_TYPE=Release -DHOOKGATE_BUILD_BENCH=ON)
// and run build/bench/payload_bench [seconds per mode, default 2]. The event is the golden
// booking case (tests/unit/golden/cases/booking/data.json); the templates are the shipped
// ones. One thread; build() is const and thread-safe, so several ingest threads scale with
// the cores.

#include "gateway/payload/PayloadBuilder.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using Hookgate::EventEnvelope;
using Hookgate::PayloadBuilder;

namespace {

std::string readFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
	{
		std::fprintf(stderr, "payload_bench: cannot read %s\n", path.c_str());
		std::exit(1);
	}
	std::ostringstream s;
	s << in.rdbuf();
	std::string text = s.str();
	while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
	return text;
}

} // namespace


int main(int argc, char** argv)
{
	const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
	const std::string source = HOOKGATE_SOURCE_DIR;
	const PayloadBuilder builder(source + "/templates");

	EventEnvelope event;
	event.id = "msg_2fQx8V1kZr7Lp0aBcDeFgHiJ";
	event.type = "appointment.booking.created";
	event.created = "2026-11-27T16:05:09Z";
	event.source = "https://booking.example.com";
	event.dataRaw = readFile(source + "/tests/unit/golden/cases/booking/data.json");

	std::printf("payload_bench: booking event, data %zu bytes, %.1f s per mode, one thread\n", event.dataRaw.size(), seconds);
	std::printf("%-26s %12s %12s %14s %10s\n", "hierarchy", "payloads/s", "us/payload", "payload bytes", "MB/s out");

	const std::vector<std::string> hierarchies = {"nested", "flat", "template:erp-import", "template:booking-summary"};
	std::size_t sink = 0;
	for (const auto& hierarchy : hierarchies)
	{
		const std::size_t size = builder.build(event, hierarchy).size();
		for (int i = 0; i < 1000; ++i) sink += builder.build(event, hierarchy).size();  // warm-up

		using Clock = std::chrono::steady_clock;
		const auto start = Clock::now();
		const auto budget = std::chrono::duration<double>(seconds);
		std::size_t count = 0;
		double elapsed = 0;
		for (;;)
		{
			for (int i = 0; i < 256; ++i) sink += builder.build(event, hierarchy).size();
			count += 256;
			elapsed = std::chrono::duration<double>(Clock::now() - start).count();
			if (elapsed >= budget.count()) break;
		}
		const double perSecond = count / elapsed;
		std::printf("%-26s %12.0f %12.2f %14zu %10.1f\n", hierarchy.c_str(), perSecond, 1e6 / perSecond, size,
			perSecond * size / 1e6);
	}
	return sink == 0 ? 1 : 0;
}
