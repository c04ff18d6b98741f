// Op registry storage and attribute accessors.
#include "ops/registry.h"

namespace pkc {

int64_t Attrs::i(const std::string& key, int64_t def) const {
  auto it = m_.find(key);
  if (it == m_.end()) return def;
  if (auto p = std::get_if<int64_t>(&it->second)) return *p;
  if (auto p = std::get_if<double>(&it->second)) return static_cast<int64_t>(*p);
  PKC_THROW(Type, "attribute '", key, "' must be an integer");
}

double Attrs::f(const std::string& key, double def) const {
  auto it = m_.find(key);
  if (it == m_.end()) return def;
  if (auto p = std::get_if<double>(&it->second)) return *p;
  if (auto p = std::get_if<int64_t>(&it->second)) return static_cast<double>(*p);
  PKC_THROW(Type, "attribute '", key, "' must be a number");
}

std::string Attrs::s(const std::string& key, const std::string& def) const {
  auto it = m_.find(key);
  if (it == m_.end()) return def;
  if (auto p = std::get_if<std::string>(&it->second)) return *p;
  PKC_THROW(Type, "attribute '", key, "' must be a string");
}

std::vector<int64_t> Attrs::ints(const std::string& key) const {
  auto it = m_.find(key);
  if (it == m_.end()) return {};
  if (auto p = std::get_if<std::vector<int64_t>>(&it->second)) return *p;
  if (auto p = std::get_if<int64_t>(&it->second)) return {*p};
  if (auto p = std::get_if<std::vector<double>>(&it->second)) {
    if (p->empty()) return {};
  }
  PKC_THROW(Type, "attribute '", key, "' must be a list of integers");
}

std::vector<double> Attrs::floats(const std::string& key) const {
  auto it = m_.find(key);
  if (it == m_.end()) return {};
  if (auto p = std::get_if<std::vector<double>>(&it->second)) return *p;
  if (auto p = std::get_if<std::vector<int64_t>>(&it->second)) return {p->begin(), p->end()};
  if (auto p = std::get_if<double>(&it->second)) return {*p};
  PKC_THROW(Type, "attribute '", key, "' must be a list of numbers");
}

OpRegistry& OpRegistry::instance() {
  static OpRegistry registry;
  return registry;
}

void OpRegistry::add(OpDef def) {
  PKC_CHECK(!ops_.count(def.name), Runtime, "op '", def.name, "' registered twice");
  std::string name = def.name;
  ops_.emplace(std::move(name), std::move(def));
}

const OpDef* OpRegistry::find(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

const OpDef& OpRegistry::get(const std::string& name) const {
  const OpDef* d = find(name);
  PKC_CHECK(d != nullptr, Value, "unknown op '", name, "'");
  return *d;
}

void OpRegistry::set_kernel(const std::string& name, DeviceType device, KernelFactory f) {
  auto it = ops_.find(name);
  PKC_CHECK(it != ops_.end(), Value, "unknown op '", name, "'");
  it->second.kernel[static_cast<int>(device)] = f;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (auto& kv : ops_) out.push_back(kv.first);
  return out;
}

}  // namespace pkc
