#pragma once
/// Names shared by the study.h5 writer and reader (docs/results.md describes them for users).
namespace rungs::layout {

constexpr const char* kFormat = "rungs-study";
constexpr const char* kFormatAttribute = "format";
constexpr const char* kVersionAttribute = "format_version";
constexpr const char* kStudyYaml = "study_yaml";
constexpr const char* kTrials = "trials";
constexpr const char* kCurves = "curves";
constexpr const char* kTest = "test";
constexpr const char* kState = "state";

}  // namespace rungs::layout
