#include "detail/recipe_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "rig/io.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

namespace fs = std::filesystem;

// ---- from the JSON tree ---------------------------------------------------------------------------------------------

namespace {

std::string text_of(const Node& n, std::string_view key) {
  const Node* v = n.find(key);
  return v && v->is_string() ? v->str() : std::string();
}

std::vector<std::string> strings_of(const Node* list) {
  std::vector<std::string> out;
  if (list && list->is_list())
    for (const auto& e : list->elements()) out.push_back(e.str());
  return out;
}

}  // namespace

ManifestComponent component_from(const Node& c) {
  ManifestComponent out{text_of(c, "name"), text_of(c, "cpp_name"), text_of(c, "doc"), text_of(c, "product"),
                        text_of(c, "file"), strings_of(c.find("aliases")), strings_of(c.find("interfaces")), {}};
  if (const Node* params = c.find("params"); params && params->is_list())
    for (const auto& p : params->elements()) {
      const Node* required = p.find("required");
      const Node* dflt = p.find("default");
      out.params.push_back({text_of(p, "name"), text_of(p, "type"), text_of(p, "doc"),
                            required && required->is_bool() && required->as<bool>(),
                            dflt ? dump_json(*dflt, -1) : std::string(), text_of(p, "interface")});
    }
  return out;
}

Manifest manifest_from(const Node& m) {
  Manifest out;
  out.name = text_of(m, "name");
  out.description = text_of(m, "description");
  out.binary = text_of(m, "binary");
  out.sources = strings_of(m.find("sources"));
  out.links = strings_of(m.find("links"));
  out.config_dirs = strings_of(m.find("config_dirs"));
  out.configs = strings_of(m.find("configs"));
  if (const Node* g = m.find("groups"); g && g->is_map())
    for (const auto& e : g->entries()) out.groups.emplace_back(e.key, strings_of(&e.value));
  if (const Node* k = m.find("config_keys"); k && k->is_map())
    for (const auto& e : k->entries()) out.config_keys.emplace_back(e.key, strings_of(&e.value));
  if (const Node* c = m.find("config_components"); c && c->is_map())
    for (const auto& e : c->entries()) {
      std::vector<std::pair<std::string, std::string>> paths;
      if (e.value.is_map())
        for (const auto& p : e.value.entries())
          if (p.value.is_string()) paths.emplace_back(p.key, p.value.str());
      out.config_components.emplace_back(e.key, std::move(paths));
    }
  if (const Node* keys = m.find("keys"); keys && keys->is_list())
    for (const auto& k : keys->elements()) out.keys.push_back({text_of(k, "path"), text_of(k, "type"), text_of(k, "doc")});
  if (const Node* cs = m.find("components"); cs && cs->is_list())
    for (const auto& c : cs->elements()) out.components.push_back(component_from(c));
  return out;
}

// ---- the index ------------------------------------------------------------------------------------------------------
//
// One record a line, fields separated by tabs; in a field, `\` `tab` and `newline` are written \\ \t \n. The first
// field names the record; records after a `component` line (alias, interface, param) belong to that component.
//
//   rig-recipe-index  1  SIZE  MTIME_NS          the manifest it was made from (format version 1)
//   recipe  NAME  DESCRIPTION  BINARY
//   source PATH | link NAME | config_dir DIR | config NAME
//   group  GROUP  OPTION...
//   config_keys  CONFIG  KEY...
//   config_components  CONFIG  PATH  COMPONENT  PATH  COMPONENT...
//   key  PATH  TYPE  DOC
//   component  NAME  CPP_NAME  DOC  PRODUCT  FILE
//   alias A | interface I
//   param  NAME  TYPE  REQUIRED(0|1)  DEFAULT_JSON  INTERFACE  DOC
//   end                                          the last line: an index without it is cut short

namespace {

constexpr std::string_view kMagic = "rig-recipe-index";
constexpr std::string_view kVersion = "1";

void field(std::string& out, std::string_view s) {
  out += '\t';
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void record(std::string& out, std::string_view kind, std::initializer_list<std::string_view> fields) {
  out += kind;
  for (auto f : fields) field(out, f);
  out += '\n';
}

void record(std::string& out, std::string_view kind, std::string_view first, const std::vector<std::string>& rest) {
  out += kind;
  field(out, first);
  for (const auto& f : rest) field(out, f);
  out += '\n';
}

std::string unescape(std::string_view s) {
  if (s.find('\\') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
  }
  return out;
}

}  // namespace

fs::path index_path(const fs::path& manifest) {
  fs::path p = manifest;
  return p.replace_extension(".index");
}

std::optional<ManifestStamp> stamp_of(const fs::path& manifest) {
  struct stat st{};
  if (::stat(manifest.c_str(), &st) != 0) return std::nullopt;
  return ManifestStamp{static_cast<uint64_t>(st.st_size),
                       static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::string index_text(const Manifest& m, const ManifestStamp& of) {
  std::string out;
  record(out, kMagic, {kVersion, std::to_string(of.size), std::to_string(of.mtime_ns)});
  record(out, "recipe", {m.name, m.description, m.binary});
  for (const auto& s : m.sources) record(out, "source", {s});
  for (const auto& s : m.links) record(out, "link", {s});
  for (const auto& s : m.config_dirs) record(out, "config_dir", {s});
  for (const auto& s : m.configs) record(out, "config", {s});
  for (const auto& [group, options] : m.groups) record(out, "group", group, options);
  for (const auto& [config, keys] : m.config_keys) record(out, "config_keys", config, keys);
  for (const auto& [config, paths] : m.config_components) {
    std::vector<std::string> pairs;
    for (const auto& [path, component] : paths) {
      pairs.push_back(path);
      pairs.push_back(component);
    }
    record(out, "config_components", config, pairs);
  }
  for (const auto& k : m.keys) record(out, "key", {k.path, k.type, k.doc});
  for (const auto& c : m.components) {
    record(out, "component", {c.name, c.cpp_name, c.doc, c.product, c.file});
    for (const auto& a : c.aliases) record(out, "alias", {a});
    for (const auto& i : c.interfaces) record(out, "interface", {i});
    for (const auto& p : c.params)
      record(out, "param", {p.name, p.type, p.required ? "1" : "0", p.default_json, p.interface, p.doc});
  }
  out += "end\n";
  return out;
}

std::optional<Manifest> read_index(std::string_view text, const ManifestStamp& expected, bool components,
                                   const ComponentFilter& filter) {
  if (!text.ends_with("\nend\n")) return std::nullopt;  // cut short
  Manifest m;
  std::vector<std::string_view> f;
  bool stamped = false, named = false, ended = false;
  // The component being read: how much of it is kept, or (pending) not asked yet while its name and aliases are
  // read, its other fields waiting in `header` (views into `text`) until then.
  ManifestComponent c;
  bool in_component = false, pending = false;
  ComponentDetail detail = ComponentDetail::Full;
  std::string_view header[4];
  auto settle = [&] {
    if (!pending) return;
    pending = false;
    detail = filter ? filter(c) : ComponentDetail::Full;
    if (detail < ComponentDetail::NoParams) return;
    c.cpp_name = unescape(header[0]);
    c.doc = unescape(header[1]);
    c.product = unescape(header[2]);
    c.file = unescape(header[3]);
  };
  auto finish = [&] {
    settle();
    if (in_component && detail != ComponentDetail::Skip) m.components.push_back(std::move(c));
    c = {};
  };
  while (!text.empty()) {
    if (ended) return std::nullopt;  // anything after the end
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;  // cut short
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    f.clear();
    for (size_t at = 0;;) {
      size_t tab = line.find('\t', at);
      f.push_back(line.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
      if (tab == std::string_view::npos) break;
      at = tab + 1;
    }
    std::string_view kind = f[0];
    size_t n = f.size() - 1;  // fields after the kind
    auto rest = [&](size_t from) {
      std::vector<std::string> out;
      for (size_t i = from; i < f.size(); ++i) out.push_back(unescape(f[i]));
      return out;
    };
    if (!stamped) {  // the first line
      if (kind != kMagic || n != 3 || f[1] != kVersion) return std::nullopt;
      if (f[2] != std::to_string(expected.size) || f[3] != std::to_string(expected.mtime_ns)) return std::nullopt;
      stamped = true;
    } else if (kind == "recipe" && n == 3) {
      m.name = unescape(f[1]);
      m.description = unescape(f[2]);
      m.binary = unescape(f[3]);
      named = true;
    } else if (kind == "source" && n == 1) {
      m.sources.push_back(unescape(f[1]));
    } else if (kind == "link" && n == 1) {
      m.links.push_back(unescape(f[1]));
    } else if (kind == "config_dir" && n == 1) {
      m.config_dirs.push_back(unescape(f[1]));
    } else if (kind == "config" && n == 1) {
      m.configs.push_back(unescape(f[1]));
    } else if (kind == "group" && n >= 1) {
      m.groups.emplace_back(unescape(f[1]), rest(2));
    } else if (kind == "config_keys" && n >= 1) {
      m.config_keys.emplace_back(unescape(f[1]), rest(2));
    } else if (kind == "config_components" && n % 2 == 1) {
      std::vector<std::pair<std::string, std::string>> paths;
      for (size_t i = 2; i < f.size(); i += 2) paths.emplace_back(unescape(f[i]), unescape(f[i + 1]));
      m.config_components.emplace_back(unescape(f[1]), std::move(paths));
    } else if (kind == "key" && n == 3) {
      m.keys.push_back({unescape(f[1]), unescape(f[2]), unescape(f[3])});
    } else if (kind == "component" && !components) {
      text = "end\n";  // the components come last: skip to the end
    } else if (kind == "component" && n == 5) {
      finish();
      c.name = unescape(f[1]);
      std::copy(f.begin() + 2, f.end(), header);
      in_component = pending = true;
    } else if (kind == "alias" && n == 1 && in_component) {
      c.aliases.push_back(unescape(f[1]));
    } else if (kind == "interface" && n == 1 && in_component) {
      settle();
      if (detail >= ComponentDetail::NoParams) c.interfaces.push_back(unescape(f[1]));
    } else if (kind == "end" && n == 0) {
      finish();
      ended = true;
    } else if (kind == "param" && n == 6 && in_component && (f[3] == "0" || f[3] == "1")) {
      settle();
      if (detail == ComponentDetail::Full)
        c.params.push_back({unescape(f[1]), unescape(f[2]), unescape(f[6]), f[3] == "1", unescape(f[4]), unescape(f[5])});
    } else {
      return std::nullopt;  // not this format: the JSON decides
    }
  }
  if (!named || !ended) return std::nullopt;
  return m;
}

void write_manifest(const fs::path& path, const Node& manifest) {
  write_file_atomic(path, dump_json(manifest));
  std::optional<ManifestStamp> stamp = stamp_of(path);
  if (stamp) write_file_atomic(index_path(path), index_text(manifest_from(manifest), *stamp));
}

namespace {

// The whole file, or nullopt when it cannot be read (no index: the JSON decides). In a buffer the read fills, not
// one cleared first (a std::string of the size would write every byte twice).
struct FileText {
  std::unique_ptr<char[]> bytes;
  size_t size = 0;
  std::string_view view() const { return {bytes.get(), size}; }
};

std::optional<FileText> slurp(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st{};
  std::optional<FileText> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    FileText text{std::make_unique_for_overwrite<char[]>(static_cast<size_t>(st.st_size)), static_cast<size_t>(st.st_size)};
    size_t got = 0;
    while (got < text.size) {
      ssize_t r = ::read(fd, text.bytes.get() + got, text.size - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    if (got == text.size) out = std::move(text);
  }
  ::close(fd);
  return out;
}

}  // namespace

Manifest load_manifest(const fs::path& path, bool components, const ComponentFilter& filter) {
  if (std::optional<ManifestStamp> stamp = stamp_of(path))
    if (std::optional<FileText> text = slurp(index_path(path)))
      if (std::optional<Manifest> m = read_index(text->view(), *stamp, components, filter)) return std::move(*m);
  return manifest_from(load_json(read_file(path), path.string()));
}

}  // namespace rig::detail
