// The Prometheus text exposition format (version 0.0.4): metric families with their HELP and TYPE
// lines, samples with escaped label values, numbers as Prometheus parses them. Pure text, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace md::monitoring {

enum class MetricType { gauge, counter };

using Labels = std::vector<std::pair<std::string, std::string>>;  // in the order written

struct Sample {
  Labels labels;
  double value = 0;
};

// One metric name with all its samples: the format wants a family's samples together, after its
// HELP and TYPE lines, and a name only once per exposition.
struct MetricFamily {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*, with its unit suffix (_seconds, _bytes, _total)
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;

  MetricFamily& add(Labels labels, double value) {
    samples.push_back({std::move(labels), value});
    return *this;
  }
};

// A label value with \, " and newline escaped.
std::string escape_label_value(std::string_view value);
// HELP text with \ and newline escaped.
std::string escape_help(std::string_view text);
// As Prometheus writes numbers: integers without a fraction, others in the fewest digits that read back the same,
// NaN, +Inf and -Inf by name.
std::string format_value(double value);
// Every family with at least one sample, in order ("# HELP", "# TYPE", then the samples), ending
// with a newline. A family without samples is left out: its HELP alone says nothing.
std::string render(const std::vector<MetricFamily>& families);

}  // namespace md::monitoring
