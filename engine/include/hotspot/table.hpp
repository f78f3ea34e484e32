#pragma once
// Compact columns: one arena for many short strings, so no heap object is held per incident.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

class StringColumn {
 public:
  void push_back(std::string_view s) {
    chars_.append(s);
    ends_.push_back(chars_.size());
  }
  std::string_view operator[](std::size_t i) const {
    std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_).substr(begin, ends_[i] - begin);
  }
  std::size_t size() const { return ends_.size(); }
  std::size_t chars() const { return chars_.size(); }  // bytes of all strings
  void reserve(std::size_t strings, std::size_t chars) {
    ends_.reserve(strings);
    chars_.reserve(chars);
  }
  void pop_back() {
    ends_.pop_back();
    chars_.resize(ends_.empty() ? 0 : ends_.back());
  }
  void clear() {
    chars_.clear();
    ends_.clear();
  }

 private:
  std::string chars_;
  std::vector<std::size_t> ends_;
};

// Small dictionary of category labels; incidents hold the code.
class Dictionary {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::uint32_t intern(std::string_view s);
  const std::string& operator[](std::uint32_t code) const { return labels_[code]; }
  std::size_t size() const { return labels_.size(); }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::vector<std::string> labels_;
  std::vector<std::uint32_t> slots_;  // open addressing into labels_
};

}  // namespace hotspot
