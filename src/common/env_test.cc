// Env::WriteFile on the real file system: what `--output` may replace and
// what it must write in place (issue 18, item 1); Env::ReadFile of a file
// and of a pipe.

#include "unionstate/env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace unionstate {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system's temporary folder, removed afterwards.
class EnvWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/unionstate-env-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The names in the folder, so a stray temporary file shows.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

TEST_F(EnvWriteTest, NewAndRegularFilesAreReplacedKeepingTheirMode) {
  const std::string path = Path("out.json");
  ASSERT_TRUE(Env::Default().WriteFile(path, "first\n"));
  EXPECT_EQ(Slurp(path), "first\n");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(Env::Default().WriteFile(path, "second\n"));
  EXPECT_EQ(Slurp(path), "second\n");
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_EQ(Names(), std::vector<std::string>{"out.json"});
}

TEST_F(EnvWriteTest, AFailedWriteLeavesAnExistingFileUntouched) {
  const std::string path = Path("out.json");
  ASSERT_TRUE(Env::Default().WriteFile(path, "the old forecast\n"));
  // The disk fills after 5 bytes of the new contents.
  std::unique_ptr<Env> full = NewPosixEnv({.fail_write_after_bytes = 5});
  Result<void> written = full->WriteFile(path, "a new, longer forecast\n");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind(), ErrorKind::kIo);
  EXPECT_NE(written.error().ToString().find("No space left on device"),
            std::string::npos)
      << written.error().ToString();
  EXPECT_EQ(Slurp(path), "the old forecast\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"out.json"});
}

TEST_F(EnvWriteTest, AFailedFsyncLeavesAnExistingFileUntouched) {
  const std::string path = Path("out.json");
  ASSERT_TRUE(Env::Default().WriteFile(path, "old\n"));
  std::unique_ptr<Env> failing = NewPosixEnv({.fail_fsync = true});
  ASSERT_FALSE(failing->WriteFile(path, "new\n"));
  EXPECT_EQ(Slurp(path), "old\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"out.json"});
}

TEST_F(EnvWriteTest, AFailedWriteOfANewFileLeavesNothing) {
  std::unique_ptr<Env> full = NewPosixEnv({.fail_write_after_bytes = 0});
  ASSERT_FALSE(full->WriteFile(Path("new.json"), "x"));
  EXPECT_TRUE(Names().empty());
}

TEST_F(EnvWriteTest, ASymbolicLinkIsFollowedAndStaysALink) {
  const std::string target = Path("target.json");
  const std::string link = Path("link.json");
  ASSERT_TRUE(Env::Default().WriteFile(target, "old\n"));
  fs::create_symlink(target, link);
  ASSERT_TRUE(Env::Default().WriteFile(link, "new\n"));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Slurp(target), "new\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"link.json", "target.json"}));
}

TEST_F(EnvWriteTest, ADanglingSymbolicLinkIsRefused) {
  const std::string link = Path("link.json");
  fs::create_symlink(Path("missing/nowhere.json"), link);
  Result<void> written = Env::Default().WriteFile(link, "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(written.error().ToString().find("names no file"),
            std::string::npos);
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST_F(EnvWriteTest, ADirectoryIsRefused) {
  fs::create_directory(Path("folder"));
  Result<void> written = Env::Default().WriteFile(Path("folder"), "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(written.error().ToString().find("is a directory"),
            std::string::npos);
  EXPECT_TRUE(fs::is_directory(Path("folder")));
  EXPECT_EQ(Names(), std::vector<std::string>{"folder"});
}

TEST_F(EnvWriteTest, AFifoIsWrittenInPlace) {
  const std::string fifo = Path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = Slurp(fifo); });
  Result<void> written = Env::Default().WriteFile(fifo, "through the pipe\n");
  reader.join();
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_EQ(received, "through the pipe\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(Names(), std::vector<std::string>{"pipe"});
}

// Env::ReadFile reads a regular file in one call, sized by fstat, and a
// pipe (no size) into room that doubles as it fills.
TEST_F(EnvWriteTest, ReadFileReturnsEveryByteOfAFileAndOfAPipe) {
  std::string bytes(200000, '\0');
  for (size_t k = 0; k < bytes.size(); ++k)
    bytes[k] = static_cast<char>('a' + k % 23);
  const std::string file = Path("big.csv");
  std::ofstream(file, std::ios::binary) << bytes;
  Result<std::string> read = Env::Default().ReadFile(file);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(*read, bytes);
  std::ofstream(Path("empty.csv"), std::ios::binary);
  Result<std::string> empty = Env::Default().ReadFile(Path("empty.csv"));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");

  // 20 000 bytes through a FIFO: past the first 4 096 of room, three
  // doublings.
  const std::string fifo = Path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string sent = bytes.substr(0, 20000);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << sent; });
  Result<std::string> piped = Env::Default().ReadFile(fifo);
  writer.join();
  ASSERT_TRUE(piped) << piped.error().ToString();
  EXPECT_EQ(*piped, sent);
}

TEST_F(EnvWriteTest, ReadFileOfAMissingFileNamesItAndSaysWhy) {
  const std::string path = Path("absent.toml");
  Result<std::string> read = Env::Default().ReadFile(path);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(read.error().ToString(),
            path + ": cannot read the file: No such file or directory");
}

TEST(EnvDeviceTest, DevNullIsWrittenInPlace) {
  if (!fs::is_character_file("/dev/null"))
    GTEST_SKIP() << "/dev/null is not a device on this machine";
  ASSERT_TRUE(Env::Default().WriteFile("/dev/null", "discarded"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(EnvDeviceTest, DevFullReportsNoSpaceAndStaysADevice) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  Result<void> written = Env::Default().WriteFile("/dev/full", "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind(), ErrorKind::kIo);
  EXPECT_NE(written.error().ToString().find("No space left on device"),
            std::string::npos)
      << written.error().ToString();
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
}

}  // namespace
}  // namespace unionstate
