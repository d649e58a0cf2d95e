// The JSON reader under tokenizer.json: escapes, numbers, key order, errors and depth limit.
#include <string>

#include "check.h"
#include "core/json.h"

namespace {

sk::JsonValue ParseOk(const std::string& text) {
  sk::JsonValue value;
  const sk::Status status = sk::JsonValue::Parse(text, &value);
  CHECK(status.ok()) << "'" << text << "': " << status.message();
  return value;
}

std::string ParseError(const std::string& text) {
  sk::JsonValue value;
  const sk::Status status = sk::JsonValue::Parse(text, &value);
  CHECK(!status.ok()) << "'" << text << "' should not parse";
  return status.message();
}

}  // namespace

TEST(json_objects_keep_key_order_and_types) {
  const sk::JsonValue value = ParseOk(R"( {"b": 1, "a": [true, false, null], "c": {"x": "y"}, "d": -2.5e3} )");
  CHECK(value.is_object());
  CHECK(value.members().size() == 4);
  CHECK(value.members()[0].first == "b" && value.members()[1].first == "a" && value.members()[2].first == "c");
  CHECK(value.Find("b")->is_integer() && value.Find("b")->integer() == 1);
  CHECK(value.Find("a")->array().size() == 3 && value.Find("a")->array()[0].bool_value());
  CHECK(value.Find("a")->array()[2].is_null());
  CHECK(value.Find("c")->Find("x")->string() == "y");
  CHECK(!value.Find("d")->is_integer());
  CHECK_NEAR(value.Find("d")->number(), -2500.0, 0);
  CHECK(value.Find("missing") == nullptr);
}

TEST(json_numbers_int64_and_double) {
  CHECK(ParseOk("9223372036854775807").integer() == INT64_MAX);
  CHECK(ParseOk("-9223372036854775808").integer() == INT64_MIN);
  CHECK(!ParseOk("9223372036854775808").is_integer());  // past int64: a double
  CHECK(!ParseOk("1.0").is_integer());
  CHECK_NEAR(ParseOk("-0.125").number(), -0.125, 0);
  CHECK_NEAR(ParseOk("1E2").number(), 100.0, 0);
  ParseError("01");
  ParseError("1.");
  ParseError("-");
  ParseError("+1");
  ParseError(".5");
}

TEST(json_string_escapes_and_surrogates) {
  CHECK(ParseOk(R"("a\"b\\c\/d\b\f\n\r\t")").string() == "a\"b\\c/d\b\f\n\r\t");
  CHECK(ParseOk(R"("\u00e9\u4f60")").string() == "\xC3\xA9\xE4\xBD\xA0");
  CHECK(ParseOk(R"("\ud83d\ude00")").string() == "\xF0\x9F\x98\x80");  // a surrogate pair
  CHECK(ParseOk(R"("\ud83d x")").string() == "\xEF\xBF\xBD x");       // lone high surrogate
  CHECK(ParseOk(R"("\ude00")").string() == "\xEF\xBF\xBD");            // lone low surrogate
  CHECK(ParseOk("\"\xE2\x96\x81\"").string() == "\xE2\x96\x81");       // raw UTF-8 kept
  ParseError(R"("\x")");
  ParseError(R"("\u12")");
  ParseError("\"unterminated");
  ParseError("\"control \x01 char\"");
}

TEST(json_errors_name_the_offset) {
  const std::string message = ParseError(R"({"a": 1,, "b": 2})");
  CHECK(message.find("8") != std::string::npos) << message;
  ParseError("");
  ParseError("[1, 2");
  ParseError("{\"a\" 1}");
  ParseError("[1] 2");
  ParseError("tru");
}

TEST(json_depth_is_limited) {
  ParseOk(std::string(200, '[') + std::string(200, ']'));
  const std::string message = ParseError(std::string(100000, '[') + std::string(100000, ']'));
  CHECK(message.find("nesting") != std::string::npos) << message;
}
