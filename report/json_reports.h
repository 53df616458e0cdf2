// Reports of shardplan's own JSON documents: the plan command's result (`plan --format json`) or a
// plan.json, a sweep result (`sweep --format json`) and a validation.json (`validate`). They read
// only the keys they show, so a document from a newer shardplan with more keys still reads; a
// missing key is an InputError naming the file and the JSON pointer.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "report/document.h"

namespace sp::report {

enum class InputKind { plan_result, plan_file, sweep, validation };

// Recognises the document by its keys; InputError (naming `origin`) when it is none of them.
InputKind input_kind(const nlohmann::json& doc, const std::string& origin);

Document plan_report(const nlohmann::json& doc, const std::string& origin);        // plan result or plan.json
Document sweep_report(const nlohmann::json& doc, const std::string& origin);
Document validation_report(const nlohmann::json& doc, const std::string& origin);

// Loads the file (strictly parsed) and builds the report its kind calls for.
Document report_of_file(const std::filesystem::path& path);

}  // namespace sp::report
