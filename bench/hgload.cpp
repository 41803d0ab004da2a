// hgload: the load generator and webhook receiver of the end-to-end benchmark (bench/run).
//
// wrk measures the maximum rate; it cannot hold a fixed rate (wrk2 is not in Debian) and it
// cannot tell when a webhook arrives. This tool does those two things, with Poco only:
//
//   hgload rate --url URL --token T --body FILE --rate R --duration S [--connections C]
//       Open loop at R requests/s over C keep-alive connections (one thread each). Request i is
//       due at start + i/R; its latency is counted from that due time, not from when it was
//       actually sent, so a server that stalls is charged for the requests queued behind the
//       stall (no "coordinated omission", as in wrk2).
//   hgload fill --url URL --token T --body FILE --count N [--connections C]
//       Closed loop: N requests as fast as C connections allow (to build a backlog).
//   hgload e2e --url URL --token T --body FILE --rate R --count N --receiver-port P [--connections C] [--wait S]
//       Also runs a receiver on 127.0.0.1:P answering 204. Every 202 names the event id
//       ("msg_..."), which the gateway sends as `webhook-id`; the latency of an event is
//       its arrival at the receiver minus its due time (one process, one steady clock).
//
// Every mode prints one JSON object on stdout. Exit status 0 unless the tool itself failed
// (bad arguments, receiver port taken); HTTP errors are counted in the JSON, not fatal.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nowNs()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Options
{
	std::string mode;
	std::string url;
	std::string token;
	std::string bodyFile;
	double rate = 0;
	double duration = 0;
	long count = 0;
	int connections = 16;
	int receiverPort = 0;
	double wait = 15;
};

[[noreturn]] void usage(const std::string& why)
{
	std::cerr << "hgload: " << why << "\n"
		"usage: hgload rate|fill|e2e --url URL --token T --body FILE [--rate R] [--duration S] [--count N]\n"
		"              [--connections C] [--receiver-port P] [--wait S]\n";
	std::exit(2);
}

Options parse(int argc, char** argv)
{
	if (argc < 2) usage("no mode");
	Options o;
	o.mode = argv[1];
	for (int i = 2; i < argc; ++i)
	{
		const std::string a = argv[i];
		if (i + 1 >= argc) usage("option " + a + " needs a value");
		const std::string v = argv[++i];
		if (a == "--url") o.url = v;
		else if (a == "--token") o.token = v;
		else if (a == "--body") o.bodyFile = v;
		else if (a == "--rate") o.rate = std::atof(v.c_str());
		else if (a == "--duration") o.duration = std::atof(v.c_str());
		else if (a == "--count") o.count = std::atol(v.c_str());
		else if (a == "--connections") o.connections = std::atoi(v.c_str());
		else if (a == "--receiver-port") o.receiverPort = std::atoi(v.c_str());
		else if (a == "--wait") o.wait = std::atof(v.c_str());
		else usage("unknown option " + a);
	}
	if (o.mode != "rate" && o.mode != "fill" && o.mode != "e2e") usage("unknown mode " + o.mode);
	if (o.url.empty() || o.bodyFile.empty()) usage("--url and --body are required");
	if (o.connections < 1) usage("--connections must be at least 1");
	if ((o.mode == "rate" || o.mode == "e2e") && o.rate <= 0) usage("--rate must be positive");
	if (o.mode == "rate" && o.duration <= 0) usage("--duration must be positive");
	if ((o.mode == "fill" || o.mode == "e2e") && o.count <= 0) usage("--count must be positive");
	if (o.mode == "e2e" && o.receiverPort <= 0) usage("--receiver-port is required for e2e");
	return o;
}

std::string readFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) usage("cannot read " + path);
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}

/// Extracts the top-level "id" of the gateway's 202 answer ({"id":"msg_...",...}).
std::string eventId(const std::string& body)
{
	const std::string key = "\"id\":\"";
	const auto p = body.find(key);
	if (p == std::string::npos) return {};
	const auto e = body.find('"', p + key.size());
	if (e == std::string::npos) return {};
	return body.substr(p + key.size(), e - p - key.size());
}

/// One keep-alive connection that POSTs the same body again and again.
class Poster
{
public:
	Poster(const Poco::URI& uri, const std::string& token, const std::string& body):
		_uri(uri), _token(token), _body(body), _session(uri.getHost(), uri.getPort())
	{
		_session.setKeepAlive(true);
		_session.setTimeout(Poco::Timespan(30, 0));
	}

	/// Returns the HTTP status (0 on a transport error); the response body goes to `answer`.
	int post(std::string& answer, std::string& error)
	{
		try
		{
			Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, _uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
			request.setKeepAlive(true);
			request.setContentType("application/json");
			request.setContentLength(static_cast<std::streamsize>(_body.size()));
			if (!_token.empty()) request.set("Authorization", "Bearer " + _token);
			_session.sendRequest(request) << _body;
			Poco::Net::HTTPResponse response;
			std::istream& in = _session.receiveResponse(response);
			answer.clear();
			Poco::StreamCopier::copyToString(in, answer);
			return response.getStatus();
		}
		catch (const Poco::Exception& e)
		{
			error = e.displayText();
		}
		catch (const std::exception& e)
		{
			error = e.what();
		}
		_session.reset();
		return 0;
	}

private:
	Poco::URI _uri;
	std::string _token;
	const std::string& _body;
	Poco::Net::HTTPClientSession _session;
};

struct Tally
{
	std::mutex mutex;
	long ok = 0;
	long httpErrors = 0;
	long transportErrors = 0;
	std::string firstError;

	void count(int status, const std::string& answer, const std::string& error, int okStatus)
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (status == okStatus || (okStatus == 202 && status == 200)) { ++ok; return; }
		if (status == 0) ++transportErrors;
		else ++httpErrors;
		if (firstError.empty())
			firstError = status == 0 ? error : "HTTP " + std::to_string(status) + ": " + answer.substr(0, 200);
	}
};

std::string jsonString(const std::string& s)
{
	std::string out = "\"";
	for (char c: s)
	{
		if (c == '"' || c == '\\') { out += '\\'; out += c; }
		else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
		else out += c;
	}
	return out + "\"";
}

double percentileMs(std::vector<std::int64_t>& sortedNs, double q)
{
	if (sortedNs.empty()) return -1;
	std::size_t i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sortedNs.size())));
	if (i > 0) --i;
	if (i >= sortedNs.size()) i = sortedNs.size() - 1;
	return static_cast<double>(sortedNs[i]) / 1e6;
}

void printLatencies(std::ostream& out, const char* name, std::vector<std::int64_t>& ns)
{
	std::sort(ns.begin(), ns.end());
	char buf[400];
	double mean = 0;
	for (auto v: ns) mean += static_cast<double>(v);
	mean = ns.empty() ? -1 : mean / static_cast<double>(ns.size()) / 1e6;
	std::snprintf(buf, sizeof buf,
		"\"%s\": {\"samples\": %zu, \"mean_ms\": %.3f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f}",
		name, ns.size(), mean, percentileMs(ns, 0.50), percentileMs(ns, 0.90), percentileMs(ns, 0.99),
		percentileMs(ns, 0.999), ns.empty() ? -1.0 : static_cast<double>(ns.back()) / 1e6);
	out << buf;
}

void printTally(std::ostream& out, Tally& t)
{
	out << "\"ok\": " << t.ok << ", \"http_errors\": " << t.httpErrors << ", \"transport_errors\": " << t.transportErrors
		<< ", \"first_error\": " << jsonString(t.firstError);
}

// ---- rate and e2e: open loop at a fixed rate

struct Sent
{
	std::string id;
	std::int64_t dueNs;
};

/// Sends `total` requests (or until `endNs` when total < 0) at `rate`/s over C threads.
/// Returns request latencies (from due time to answer); fills `sent` with (event id, due time).
std::vector<std::int64_t> openLoop(const Options& o, const std::string& body, long total, std::int64_t endNs, Tally& tally,
	std::vector<Sent>& sent, std::int64_t& startNs, std::int64_t& lastDoneNs)
{
	const Poco::URI uri(o.url);
	const int c = o.connections;
	const double intervalNs = 1e9 / o.rate;
	std::vector<std::vector<std::int64_t>> lat(c);
	std::vector<std::vector<Sent>> ids(c);
	std::vector<std::int64_t> last(c, 0);
	startNs = nowNs() + 50000000;  // 50 ms for the threads to connect
	std::vector<std::thread> threads;
	for (int k = 0; k < c; ++k)
	{
		threads.emplace_back([&, k] {
			Poster poster(uri, o.token, body);
			std::string answer, error;
			for (long i = k;; i += c)
			{
				if (total >= 0 && i >= total) break;
				const std::int64_t due = startNs + static_cast<std::int64_t>(static_cast<double>(i) * intervalNs);
				if (total < 0 && due >= endNs) break;
				const std::int64_t now = nowNs();
				if (due > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
				const int status = poster.post(answer, error);
				const std::int64_t done = nowNs();
				last[k] = done;
				tally.count(status, answer, error, 202);
				if (status == 202 || status == 200)
				{
					lat[k].push_back(done - due);
					if (o.mode == "e2e") ids[k].push_back(Sent{eventId(answer), due});
				}
			}
		});
	}
	for (auto& t: threads) t.join();
	std::vector<std::int64_t> all;
	for (auto& v: lat) all.insert(all.end(), v.begin(), v.end());
	for (auto& v: ids) sent.insert(sent.end(), v.begin(), v.end());
	lastDoneNs = *std::max_element(last.begin(), last.end());
	return all;
}

int runRate(const Options& o, const std::string& body)
{
	Tally tally;
	std::vector<Sent> sent;
	std::int64_t start = 0, lastDone = 0;
	const std::int64_t end = nowNs() + 50000000 + static_cast<std::int64_t>(o.duration * 1e9);
	auto lat = openLoop(o, body, -1, end, tally, sent, start, lastDone);
	const double seconds = static_cast<double>(lastDone - start) / 1e9;
	std::ostringstream out;
	out << "{\"mode\": \"rate\", \"target_rate\": " << o.rate << ", \"connections\": " << o.connections
		<< ", \"seconds\": " << seconds << ", \"achieved_rate\": " << (seconds > 0 ? static_cast<double>(tally.ok) / seconds : 0) << ", ";
	printTally(out, tally);
	out << ", ";
	printLatencies(out, "latency", lat);
	out << "}";
	std::cout << out.str() << std::endl;
	return 0;
}

// ---- fill: closed loop, as fast as possible

int runFill(const Options& o, const std::string& body)
{
	const Poco::URI uri(o.url);
	Tally tally;
	std::atomic<long> next{0};
	const std::int64_t start = nowNs();
	std::vector<std::thread> threads;
	for (int k = 0; k < o.connections; ++k)
	{
		threads.emplace_back([&] {
			Poster poster(uri, o.token, body);
			std::string answer, error;
			while (next.fetch_add(1) < o.count)
			{
				const int status = poster.post(answer, error);
				tally.count(status, answer, error, 202);
			}
		});
	}
	for (auto& t: threads) t.join();
	const double seconds = static_cast<double>(nowNs() - start) / 1e9;
	std::ostringstream out;
	out << "{\"mode\": \"fill\", \"count\": " << o.count << ", \"connections\": " << o.connections << ", \"seconds\": " << seconds
		<< ", \"rate\": " << static_cast<double>(tally.ok) / seconds << ", ";
	printTally(out, tally);
	out << "}";
	std::cout << out.str() << std::endl;
	return 0;
}

// ---- e2e: open loop plus a receiver that timestamps arrivals by webhook-id

struct Arrivals
{
	std::mutex mutex;
	std::unordered_map<std::string, std::int64_t> first;  // webhook-id -> first arrival
	long requests = 0;
	long withoutId = 0;
};

class ReceiverHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit ReceiverHandler(Arrivals& arrivals): _arrivals(arrivals) {}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		const std::int64_t at = nowNs();
		const std::string id = request.get("webhook-id", "");
		Poco::NullOutputStream null;
		Poco::StreamCopier::copyStream(request.stream(), null);
		{
			std::lock_guard<std::mutex> lock(_arrivals.mutex);
			++_arrivals.requests;
			if (id.empty()) ++_arrivals.withoutId;
			else _arrivals.first.emplace(id, at);
		}
		response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
		response.setKeepAlive(request.getKeepAlive());
		response.setContentLength(0);
		response.send();
	}

private:
	Arrivals& _arrivals;
};

class ReceiverFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit ReceiverFactory(Arrivals& arrivals): _arrivals(arrivals) {}
	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new ReceiverHandler(_arrivals);
	}

private:
	Arrivals& _arrivals;
};

int runE2E(const Options& o, const std::string& body)
{
	Arrivals arrivals;
	Poco::Net::ServerSocket socket;
	try
	{
		// SO_REUSEADDR but not SO_REUSEPORT (which bind(address, true) would also set in Poco 1.11):
		// the receiver must not share its port with another listener.
		socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(o.receiverPort)), true, false);
		socket.listen(256);
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hgload: receiver cannot listen on 127.0.0.1:" << o.receiverPort << ": " << e.displayText() << std::endl;
		return 1;
	}
	Poco::ThreadPool pool(4, 64);
	Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
	params->setMaxThreads(64);
	params->setKeepAlive(true);
	params->setMaxKeepAliveRequests(0);  // unlimited
	Poco::Net::HTTPServer server(new ReceiverFactory(arrivals), pool, socket, params);
	server.start();

	Tally tally;
	std::vector<Sent> sent;
	std::int64_t start = 0, lastDone = 0;
	auto requestLatency = openLoop(o, body, o.count, 0, tally, sent, start, lastDone);

	// Wait until every acknowledged event has arrived (or the deadline).
	const std::int64_t deadline = nowNs() + static_cast<std::int64_t>(o.wait * 1e9);
	std::size_t arrived = 0;
	for (;;)
	{
		arrived = 0;
		{
			std::lock_guard<std::mutex> lock(arrivals.mutex);
			for (const auto& s: sent)
				if (arrivals.first.count(s.id)) ++arrived;
		}
		if (arrived == sent.size() || nowNs() > deadline) break;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	server.stopAll(true);

	std::vector<std::int64_t> e2e;
	{
		std::lock_guard<std::mutex> lock(arrivals.mutex);
		for (const auto& s: sent)
		{
			auto it = arrivals.first.find(s.id);
			if (it != arrivals.first.end()) e2e.push_back(it->second - s.dueNs);
		}
	}
	std::ostringstream out;
	out << "{\"mode\": \"e2e\", \"rate\": " << o.rate << ", \"count\": " << o.count << ", \"connections\": " << o.connections << ", ";
	printTally(out, tally);
	out << ", \"acknowledged\": " << sent.size() << ", \"arrived\": " << arrived << ", \"missing\": " << (sent.size() - arrived)
		<< ", \"receiver_requests\": " << arrivals.requests << ", \"receiver_without_id\": " << arrivals.withoutId << ", ";
	printLatencies(out, "ingest_latency", requestLatency);
	out << ", ";
	printLatencies(out, "e2e_latency", e2e);
	out << "}";
	std::cout << out.str() << std::endl;
	return 0;
}

} // namespace

int main(int argc, char** argv)
{
	const Options o = parse(argc, argv);
	const std::string body = readFile(o.bodyFile);
	try
	{
		if (o.mode == "rate") return runRate(o, body);
		if (o.mode == "fill") return runFill(o, body);
		return runE2E(o, body);
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "hgload: " << e.displayText() << std::endl;
	}
	catch (const std::exception& e)
	{
		std::cerr << "hgload: " << e.what() << std::endl;
	}
	return 1;
}
