-- wrk script of bench/run: POSTs the file named by WRK_BODY_FILE as application/json (or, with
-- WRK_METHOD=GET, sends plain GETs), with `Authorization: Bearer $WRK_TOKEN` when WRK_TOKEN is
-- set, and prints one machine-readable line (prefix WRKJSON) with the totals, so that
-- bench/bench.py does not parse wrk's prose.
if os.getenv("WRK_METHOD") == "GET" then
	wrk.method = "GET"
else
	local file = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
	wrk.method = "POST"
	wrk.body = file:read("*a")
	file:close()
	wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
		'"write_errors": %d, "status_errors": %d, "timeouts": %d, "mean_us": %.1f, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
		summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
		latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
