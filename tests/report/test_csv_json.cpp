// CSV cells as pandas reads them back, and JSON that can sit inside an HTML <script>.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "report/csv.h"
#include "report/json.h"

namespace rungs::report {
namespace {

TEST(Csv, PlainFieldsAreWrittenAsTheyAre) {
  EXPECT_EQ(csv_field("adam"), "adam");
  EXPECT_EQ(csv_field("0.001"), "0.001");
  EXPECT_EQ(csv_field(""), "");
}

TEST(Csv, FieldsWithSeparatorsQuotesOrLineBreaksAreQuoted) {
  EXPECT_EQ(csv_field("with, comma"), "\"with, comma\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
}

TEST(Csv, RowsAreCommaSeparatedLines) {
  std::ostringstream out;
  write_csv_row(out, {"1", "a,b", ""});
  EXPECT_EQ(out.str(), "1,\"a,b\",\n");
}

TEST(Csv, NumbersRoundTripAndNaNIsAnEmptyCell) {
  EXPECT_EQ(csv_number(0.1), "0.1");
  EXPECT_EQ(std::stod(csv_number(0.123456789012345678)), 0.123456789012345678);
  EXPECT_EQ(csv_number(std::nan("")), "");
  EXPECT_EQ(csv_number(INFINITY), "inf");
}

TEST(Json, WritesNestedValuesCompactly) {
  JsonWriter json;
  json.begin_object();
  json.key("name").value("t").key("n").value(3).key("x").value(0.5).key("ok").value(true);
  json.key("list").array(std::vector<double>{1.0, std::nan(""), -INFINITY});
  json.key("empty").begin_array().end_array();
  json.end_object();
  EXPECT_EQ(json.str(), R"({"name":"t","n":3,"x":0.5,"ok":true,"list":[1,null,null],"empty":[]})");
}

TEST(Json, StringsCannotCloseTheScriptElementTheyAreIn) {
  const std::string quoted = json_quote("a</script><!--\"\\\n\x01&");
  EXPECT_EQ(quoted.find('<'), std::string::npos);
  EXPECT_EQ(quoted.find('>'), std::string::npos);
  EXPECT_EQ(quoted, R"("a\u003c/script\u003e\u003c!--\"\\\n\u0001\u0026")");
}

}  // namespace
}  // namespace rungs::report
