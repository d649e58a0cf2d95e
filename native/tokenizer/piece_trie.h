// A byte trie over vocabulary pieces, for "every piece that starts here" lookups (Unigram's
// lattice) and "the longest piece that starts here" (WordPiece's greedy match).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sk::tok {

// Built with a hash map, then frozen into arrays: the root's children in a direct 256-entry table,
// every other node's in a short byte-sorted run (nodes below the root have few children).
class PieceTrie {
 public:
  void Insert(const std::string& piece, int64_t id) {
    uint32_t node = 0;
    for (unsigned char b : piece) {
      const uint64_t key = Key(node, b);
      auto found = building_.find(key);
      if (found == building_.end()) {
        found = building_.emplace(key, static_cast<uint32_t>(ids_.size())).first;
        ids_.push_back(-1);
      }
      node = found->second;
    }
    ids_[node] = id;  // a repeated piece keeps its last id, as tokenizers' token map does
  }

  void Freeze() {
    std::vector<std::vector<std::pair<unsigned char, uint32_t>>> children(ids_.size());
    for (const auto& [key, child] : building_) children[key >> 8].emplace_back(static_cast<unsigned char>(key & 0xFF), child);
    building_.clear();
    first_child_.assign(ids_.size() + 1, 0);
    for (size_t node = 0; node < children.size(); ++node) {
      std::sort(children[node].begin(), children[node].end());
      first_child_[node] = static_cast<uint32_t>(labels_.size());
      for (const auto& [label, child] : children[node]) {
        labels_.push_back(label);
        targets_.push_back(child);
      }
    }
    first_child_[ids_.size()] = static_cast<uint32_t>(labels_.size());
    root_.fill(0);
    for (const auto& [label, child] : children[0]) root_[label] = child;
  }

  // The end of the longest piece that prefixes text[begin..] (its id in *id), or 0.
  size_t LongestPrefix(const std::string& text, size_t begin, int64_t* id) const {
    size_t longest = 0;
    ForEachPrefix(text, begin, [&](size_t end, int64_t found) {
      longest = end;
      *id = found;
    });
    return longest;
  }

  // Calls visit(end, id) for every piece that is a prefix of text[begin..], shortest first.
  template <typename Visit>
  void ForEachPrefix(const std::string& text, size_t begin, Visit visit) const {
    if (begin >= text.size()) return;
    uint32_t node = root_[static_cast<unsigned char>(text[begin])];
    if (node == 0) return;
    if (ids_[node] >= 0) visit(begin + 1, ids_[node]);
    for (size_t i = begin + 1; i < text.size(); ++i) {
      const unsigned char b = static_cast<unsigned char>(text[i]);
      uint32_t next = 0;
      const uint32_t first = first_child_[node];
      const uint32_t last = first_child_[node + 1];
      if (last - first > 8) {  // a busy node (say after "▁"): binary search
        const unsigned char* found = std::lower_bound(labels_.data() + first, labels_.data() + last, b);
        if (found != labels_.data() + last && *found == b) next = targets_[found - labels_.data()];
      } else {
        for (uint32_t k = first; k < last; ++k) {
          if (labels_[k] == b) {
            next = targets_[k];
            break;
          }
          if (labels_[k] > b) break;
        }
      }
      if (next == 0) return;
      node = next;
      if (ids_[node] >= 0) visit(i + 1, ids_[node]);
    }
  }

 private:
  static uint64_t Key(uint32_t node, unsigned char b) { return (static_cast<uint64_t>(node) << 8) | b; }
  std::unordered_map<uint64_t, uint32_t> building_;
  std::vector<int64_t> ids_ = {-1};  // node 0 is the root
  std::array<uint32_t, 256> root_{};
  std::vector<uint32_t> first_child_;
  std::vector<unsigned char> labels_;
  std::vector<uint32_t> targets_;
};

}  // namespace sk::tok
