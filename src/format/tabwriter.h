// Go's text/tabwriter (flags 0, as podman uses it): tab-terminated cells, column blocks
// of adjacent lines aligned to the widest cell plus padding, the last cell of a line
// never aligned, and a line without tabs ending the block above it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiln::format {

class TabWriter {
 public:
  // Podman's tables: TabWriter(12, 2, 2, ' ').
  TabWriter(int min_width, int tab_width, int padding, char pad_char);

  void Write(std::string_view text);
  // Formats everything written so far and returns it (the writer is empty afterwards).
  std::string Flush();

 private:
  struct Cell {
    size_t size = 0;   // bytes of text
    int width = 0;     // runes of text
    bool htab = false; // terminated by a tab
  };
  using Line = std::vector<Cell>;

  void TerminateCell(bool htab);
  void AddLine();
  void FlushInto(std::string& out);
  size_t Format(std::string& out, size_t pos, size_t line0, size_t line1);
  size_t WriteLines(std::string& out, size_t pos, size_t line0, size_t line1);
  void WritePadding(std::string& out, int text_width, int cell_width);

  int min_width_, tab_width_, padding_;
  char pad_char_;
  std::string buf_;       // text of all cells, in order
  Cell cell_;             // the cell being filled
  std::vector<Line> lines_{Line{}};
  std::vector<int> widths_;
  std::string out_;
};

}  // namespace kiln::format
