#include "EmailPythonParser.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>

#include <sstream>
#include <thread>

namespace Hookgate {
namespace Test {

namespace {

const char* SCRIPT = R"PY(
import base64, json, sys
from email import policy
from email.parser import BytesParser

raw = open(sys.argv[1], "rb").read()
msg = BytesParser(policy=policy.default).parsebytes(raw)

defects = []
def collect(part, where):
    for d in part.defects:
        defects.append("%s: %s %s" % (where, type(d).__name__, d))
    for name, value in part.items():
        for d in getattr(value, "defects", ()):
            defects.append("%s header %s: %s %s" % (where, name, type(d).__name__, d))
for i, part in enumerate(msg.walk()):
    collect(part, "part %d" % i)

def describe(part):
    data = part.get_payload(decode=True) or b""
    result = {
        "contentType": part.get_content_type(),
        "charset": part.get_param("charset") or "",
        "transferEncoding": str(part.get("Content-Transfer-Encoding", "")),
        "disposition": part.get_content_disposition() or "",
        "filename": part.get_filename() or "",
        "data": base64.b64encode(data).decode("ascii"),
        "text": "",
    }
    if part.get_content_maintype() == "text":
        result["text"] = part.get_content().replace("\r\n", "\n")
    return result

rest = raw.replace(b"\r\n", b"")
date = msg["Date"]
out = {
    "defects": defects,
    "headers": [[name, str(value)] for name, value in msg.items()],
    "contentType": msg.get_content_type(),
    "date": date.datetime.isoformat() if date is not None and date.datetime is not None else "",
    "parts": [describe(p) for p in msg.iter_parts()] if msg.is_multipart() else [],
    "maxLineLength": max(len(line) for line in raw.split(b"\r\n")),
    "onlyCRLF": b"\r" not in rest and b"\n" not in rest,
    "endsWithCRLF": raw.endswith(b"\r\n"),
}
sys.stdout.buffer.write(json.dumps(out, ensure_ascii=False).encode("utf-8", "backslashreplace"))
)PY";

std::string decodeBase64(const std::string& text)
{
	std::istringstream istr(text);
	Poco::Base64Decoder decoder(istr);
	std::string result;
	Poco::StreamCopier::copyToString(decoder, result);
	return result;
}

} // namespace

std::string EmailParsed::header(const std::string& name) const
{
	for (const auto& header: headers)
	{
		if (Poco::icompare(header.first, name) == 0)
			return header.second;
	}
	return std::string();
}

std::size_t EmailParsed::count(const std::string& name) const
{
	std::size_t n = 0;
	for (const auto& header: headers)
	{
		if (Poco::icompare(header.first, name) == 0)
			++n;
	}
	return n;
}

EmailParsed EmailPythonParser::parse(const std::string& bytes)
{
	Poco::TemporaryFile file;
	{
		Poco::FileOutputStream ostr(file.path(), std::ios::binary | std::ios::trunc);
		ostr.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
	}
	return parseFile(file.path());
}

EmailParsed EmailPythonParser::parseFile(const std::string& path)
{
	Poco::Pipe outPipe;
	Poco::Pipe errPipe;
	Poco::ProcessHandle process = Poco::Process::launch("/usr/bin/python3", {"-c", SCRIPT, path}, nullptr, &outPipe, &errPipe);
	std::string errors;
	std::thread errReader([&]() {
		Poco::PipeInputStream istr(errPipe);
		Poco::StreamCopier::copyToString(istr, errors);
	});
	std::string output;
	{
		Poco::PipeInputStream istr(outPipe);
		Poco::StreamCopier::copyToString(istr, output);
	}
	errReader.join();
	const int rc = process.wait();
	if (rc != 0)
		throw Poco::RuntimeException("python3 email parser failed with exit code " + std::to_string(rc), errors);

	Poco::JSON::Object::Ptr root = Poco::JSON::Parser().parse(output).extract<Poco::JSON::Object::Ptr>();
	EmailParsed parsed;
	for (const auto& defect: *root->getArray("defects"))
		parsed.defects.push_back(defect.convert<std::string>());
	Poco::JSON::Array::Ptr headers = root->getArray("headers");
	for (std::size_t i = 0; i < headers->size(); ++i)
	{
		Poco::JSON::Array::Ptr header = headers->getArray(i);
		parsed.headers.emplace_back(header->getElement<std::string>(0), header->getElement<std::string>(1));
	}
	parsed.contentType = root->getValue<std::string>("contentType");
	parsed.dateISO = root->getValue<std::string>("date");
	Poco::JSON::Array::Ptr parts = root->getArray("parts");
	for (std::size_t i = 0; i < parts->size(); ++i)
	{
		Poco::JSON::Object::Ptr p = parts->getObject(i);
		EmailParsedPart part;
		part.contentType = p->getValue<std::string>("contentType");
		part.charset = p->getValue<std::string>("charset");
		part.transferEncoding = p->getValue<std::string>("transferEncoding");
		part.disposition = p->getValue<std::string>("disposition");
		part.filename = p->getValue<std::string>("filename");
		part.data = decodeBase64(p->getValue<std::string>("data"));
		part.text = p->getValue<std::string>("text");
		parsed.parts.push_back(std::move(part));
	}
	parsed.maxLineLength = root->getValue<std::size_t>("maxLineLength");
	parsed.onlyCRLF = root->getValue<bool>("onlyCRLF");
	parsed.endsWithCRLF = root->getValue<bool>("endsWithCRLF");
	return parsed;
}

} // namespace Test
} // namespace Hookgate
