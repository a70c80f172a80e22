// The command-line tool's shared parts: the command table, flag parsing,
// the Status -> exit code mapping and the progress reports.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/flags.h"
#include "native/progress.h"

namespace edgepiece::cli {
namespace {

Result<Flags> Parse(std::vector<std::string> args, const std::vector<std::string>& value_flags,
                    const std::vector<std::string>& switches) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return Flags::Parse(static_cast<int>(argv.size()), argv.data(), value_flags, switches);
}

TEST(CommandTableTest, EveryCommandHasItsHelpAndIsListedInTheUsage) {
  const std::string usage = Usage();
  for (const char* name :
       {"encode", "decode", "info", "pack", "train", "generate", "score", "bench", "quantize"}) {
    const Command* command = FindCommand(name);
    ASSERT_NE(command, nullptr) << name;
    EXPECT_STREQ(command->name, name);
    EXPECT_NE(std::string(command->help).find(std::string("usage: edgepiece ") + name),
              std::string::npos)
        << name;
    EXPECT_NE(usage.find(std::string("  ") + name), std::string::npos) << name;
    EXPECT_NE(usage.find(command->summary), std::string::npos) << name;
    EXPECT_NE(command->run, nullptr);
  }
  EXPECT_EQ(Commands().size(), 9u);
  EXPECT_EQ(FindCommand("nope"), nullptr);
  EXPECT_STREQ(Version(), EDGEPIECE_TEST_VERSION);
}

TEST(CommandTableTest, EncodeTakesLinesAndProgress) {
  const Command* encode = FindCommand("encode");
  ASSERT_NE(encode, nullptr);
  auto flags = Parse({"--lines", "--progress", "--threads", "2", "in.txt"}, encode->value_flags,
                     encode->switches);
  ASSERT_TRUE(flags.ok()) << flags.status().detail();
  EXPECT_TRUE(flags->Has("lines"));
  EXPECT_TRUE(flags->Has("progress"));
  EXPECT_EQ(flags->Get("threads"), "2");
}

TEST(FlagsTest, ShortAndLongHelp) {
  for (const char* help : {"-h", "--help"}) {
    auto flags = Parse({"--model", "m", help}, {"model"}, {});
    ASSERT_TRUE(flags.ok());
    EXPECT_TRUE(flags->help()) << help;
    EXPECT_TRUE(flags->positional().empty());
  }
  auto after_dashes = Parse({"--", "-h"}, {}, {});
  ASSERT_TRUE(after_dashes.ok());
  EXPECT_FALSE(after_dashes->help());
  EXPECT_EQ(after_dashes->positional(), std::vector<std::string>{"-h"});
}

TEST(FlagsTest, DashOIsOutputWhereThereIsAnOutputFlag) {
  auto flags = Parse({"-o", "m.model", "in.txt"}, {"output"}, {});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Get("output"), "m.model");
  EXPECT_EQ(flags->positional(), std::vector<std::string>{"in.txt"});
  // Without --output, and after --, it stays an argument.
  auto plain = Parse({"-o", "--", "-o"}, {"model"}, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->positional(), (std::vector<std::string>{"-o", "-o"}));
}

TEST(FlagsTest, ValuesSwitchesAndUsageErrors) {
  auto flags = Parse({"--a=1.5", "--n", "7", "--s", "file"}, {"a", "n"}, {"s"});
  ASSERT_TRUE(flags.ok());
  double a;
  uint32_t n, missing;
  EXPECT_TRUE(flags->GetDouble("a", 0, &a).ok());
  EXPECT_EQ(a, 1.5);
  EXPECT_TRUE(flags->GetUint32("n", 0, &n).ok());
  EXPECT_EQ(n, 7u);
  EXPECT_TRUE(flags->GetUint32("m", 9, &missing).ok());
  EXPECT_EQ(missing, 9u);
  EXPECT_TRUE(flags->Has("s"));

  auto unknown = Parse({"--bogus"}, {}, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(ExitCodeOf(unknown.status()), kExitUsage);
  EXPECT_EQ(unknown.status().detail(), "unknown flag --bogus (see --help)");
  EXPECT_EQ(ExitCodeOf(Parse({"--a"}, {"a"}, {}).status()), kExitUsage);
  EXPECT_EQ(ExitCodeOf(Parse({"--s=1"}, {}, {"s"}).status()), kExitUsage);

  auto bad = Parse({"--n", "-1"}, {"n"}, {});
  ASSERT_TRUE(bad.ok());
  const Status status = bad->GetUint32("n", 0, &n);
  EXPECT_EQ(ExitCodeOf(status), kExitUsage);
  EXPECT_EQ(status.detail(), "--n expects an integer in [0, 4294967295], got \"-1\"");
}

TEST(ExitStatusTest, OnePlaceMapsStatusesToExitCodes) {
  EXPECT_EQ(ExitCodeOf(Status::Ok()), kExitOk);
  EXPECT_EQ(ExitCodeOf(UsageError("x")), kExitUsage);
  EXPECT_TRUE(IsUsageError(UsageError("x")));
  EXPECT_EQ(ExitCodeOf(Status(StatusCode::kIoError, "x")), kExitIo);
  for (StatusCode code :
       {StatusCode::kInvalidArgument, StatusCode::kMalformedJson, StatusCode::kInvalidModel,
        StatusCode::kOutOfRange, StatusCode::kOutOfMemory, StatusCode::kInternal}) {
    EXPECT_EQ(ExitCodeOf(Status(code, "x")), kExitFailure);
    EXPECT_FALSE(IsUsageError(Status(code, "x")));
  }
  const Status with = WithContext(Status(StatusCode::kIoError, "no such file"), "cannot load");
  EXPECT_EQ(with.code(), StatusCode::kIoError);
  EXPECT_EQ(with.detail(),
            "cannot load: " + Status(StatusCode::kIoError, "no such file").ToString());
  EXPECT_TRUE(WithContext(Status::Ok(), "x").ok());
}

TEST(ProgressTest, FormatShowsPercentageRateAndEta) {
  Progress known("encode", 200000000, Progress::Mode::kLines, stderr);
  EXPECT_EQ(known.Format(50000000, 2.0), "encode:  25% 50.0 MB of 200.0 MB, 25.0 MB/s, ETA 0:06");
  EXPECT_EQ(known.Format(200000000, 8.0), "encode: 100% 200.0 MB of 200.0 MB, 25.0 MB/s, 0:08");
  Progress bar("decode", 100, Progress::Mode::kBar, stderr);
  EXPECT_NE(bar.Format(50, 1.0).find("[############            ]"), std::string::npos);
  Progress stream("score", 0, Progress::Mode::kLines, stderr);
  EXPECT_EQ(stream.Format(3000000, 1.5), "score: 3.0 MB, 2.0 MB/s, 0:02");
}

TEST(ProgressTest, LinesModeEndsWithALineOffModePrintsNothing) {
  for (const auto mode : {Progress::Mode::kLines, Progress::Mode::kOff}) {
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
      Progress progress("encode", 10, mode, out);
      progress.Update(5);  // within the first 0.5 s: nothing
      progress.Finish(10);
    }
    const long size = std::ftell(out);
    std::rewind(out);
    std::string text(static_cast<size_t>(size), '\0');
    ASSERT_EQ(std::fread(text.data(), 1, text.size(), out), text.size());
    std::fclose(out);
    if (mode == Progress::Mode::kOff) {
      EXPECT_EQ(text, "");
    } else {
      EXPECT_EQ(text.rfind("edgepiece: encode: 100% ", 0), 0u) << text;
      EXPECT_EQ(text.back(), '\n');
    }
  }
}

}  // namespace
}  // namespace edgepiece::cli
