// The main of a fuzz target built without libFuzzer (the gcc test build): runs
// LLVMFuzzerTestOneInput on every file of the folders and files given, so the seed corpora and
// the inputs of crashes found become regression tests in ctest.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
	std::vector<std::filesystem::path> files;
	for (int i = 1; i < argc; ++i)
	{
		const std::filesystem::path path(argv[i]);
		if (std::filesystem::is_directory(path))
		{
			for (const auto& entry: std::filesystem::directory_iterator(path))
				if (entry.is_regular_file()) files.push_back(entry.path());
		}
		else if (std::filesystem::exists(path))
		{
			files.push_back(path);
		}
	}
	if (files.empty())
	{
		std::fprintf(stderr, "no input files\n");
		return 1;
	}
	for (const auto& file: files)
	{
		std::ifstream in(file, std::ios::binary);
		const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
		std::fprintf(stderr, "%s (%zu bytes)\n", file.c_str(), bytes.size());
		LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
	}
	std::fprintf(stderr, "%zu inputs ran without a crash\n", files.size());
	return 0;
}
