#include "image/changes.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace kiln::image {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// JSON (exec) form if the argument is a JSON array of strings, else shell form.
Json CommandForm(std::string_view args) {
  if (!args.empty() && args.front() == '[') {
    Json j = Json::parse(args, nullptr, false);
    if (j.is_array() && std::all_of(j.begin(), j.end(), [](const Json& e) { return e.is_string(); })) return j;
  }
  return Json::array({"/bin/sh", "-c", std::string(args)});
}

// KEY=VALUE pairs; the legacy "KEY VALUE" form when the first word has no '='.
Expected<std::vector<std::pair<std::string, std::string>>> KeyValues(std::string_view args) {
  std::vector<std::pair<std::string, std::string>> out;
  ASSIGN_OR_RETURN(std::vector<std::string> words, SplitWords(args));
  if (words.empty()) return InvalidArgument("requires at least one argument");
  if (words[0].find('=') == std::string::npos) {
    auto space = args.find_first_of(" \t");
    if (space == std::string_view::npos) return InvalidArgument("requires a value");
    out.emplace_back(words[0], std::string(Trim(args.substr(space))));
    return out;
  }
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("syntax error - can't find = in \"" + w + "\"");
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

void SetEnv(Json& cfg, const std::string& key, const std::string& value) {
  Json& env = cfg["Env"];
  if (!env.is_array()) env = Json::array();
  std::string entry = key + "=" + value;
  for (auto& e : env)
    if (e.is_string() && e.get<std::string>().rfind(key + "=", 0) == 0) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

Status ApplyInstruction(Json& cfg, const std::string& op, std::string_view args) {
  if (op == "CMD" || op == "ENTRYPOINT") {
    cfg[op == "CMD" ? "Cmd" : "Entrypoint"] = CommandForm(args);
  } else if (op == "ENV" || op == "LABEL") {
    ASSIGN_OR_RETURN(auto pairs, KeyValues(args));
    for (const auto& [k, v] : pairs) {
      if (op == "ENV") SetEnv(cfg, k, v);
      else cfg["Labels"][k] = v;
    }
  } else if (op == "EXPOSE") {
    ASSIGN_OR_RETURN(auto ports, SplitWords(args));
    for (auto p : ports) cfg["ExposedPorts"][p.find('/') == std::string::npos ? p + "/tcp" : p] = Json::object();
  } else if (op == "VOLUME") {
    Json list = CommandForm(args);
    std::vector<std::string> vols;
    if (list.size() == 3 && list[0] == "/bin/sh") {
      ASSIGN_OR_RETURN(vols, SplitWords(args));
    } else {
      for (const auto& v : list) vols.push_back(v.get<std::string>());
    }
    for (const auto& v : vols) cfg["Volumes"][v] = Json::object();
  } else if (op == "USER") {
    cfg["User"] = std::string(args);
  } else if (op == "WORKDIR") {
    cfg["WorkingDir"] = std::string(args);
  } else if (op == "STOPSIGNAL") {
    cfg["StopSignal"] = std::string(args);
  } else if (op == "ONBUILD") {
    cfg["OnBuild"].push_back(std::string(args));
  } else {
    return InvalidArgument("invalid instruction " + op);
  }
  return Status::Ok();
}

}  // namespace

Expected<std::vector<std::string>> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size()) cur += text[++i];
      else cur += c;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"' || c == '\'') quote = c;
    else if (c == '\\' && i + 1 < text.size()) cur += text[++i];
    else cur += c;
  }
  if (quote) return InvalidArgument("unmatched quote in \"" + std::string(text) + "\"");
  if (in_word) words.push_back(std::move(cur));
  return words;
}

Status ApplyChange(Json& cfg, std::string_view instruction) {
  std::string_view text = Trim(instruction);
  auto space = text.find_first_of(" \t");
  std::string op = Upper(text.substr(0, space));
  std::string_view args = space == std::string_view::npos ? std::string_view() : Trim(text.substr(space));
  Status st = ApplyInstruction(cfg, op, args);
  if (!st.ok()) return InvalidArgument("invalid change \"" + std::string(instruction) + "\" - " + st.message());
  CanonicalizeRuntimeConfig(cfg);
  return Status::Ok();
}

void CanonicalizeRuntimeConfig(Json& cfg) {
  static const char* const kOrder[] = {"User",       "ExposedPorts", "Env",    "Entrypoint", "Cmd",
                                       "Volumes",    "WorkingDir",   "Labels", "StopSignal", "ArgsEscaped",
                                       "Healthcheck", "OnBuild",     "Shell"};
  // Go encodes maps with sorted keys.
  for (const char* map_key : {"ExposedPorts", "Volumes", "Labels"}) {
    auto it = cfg.find(map_key);
    if (it == cfg.end() || !it->is_object()) continue;
    std::map<std::string, Json> sorted;
    for (auto& [k, v] : it->items()) sorted[k] = v;
    Json ordered = Json::object();
    for (auto& [k, v] : sorted) ordered[k] = std::move(v);
    *it = std::move(ordered);
  }
  Json out = Json::object();
  for (const char* key : kOrder)
    if (auto it = cfg.find(key); it != cfg.end()) out[key] = *it;
  for (auto it = cfg.begin(); it != cfg.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = it.value();
  cfg = std::move(out);
}

}  // namespace kiln::image
