#include "format/tabwriter.h"

namespace kiln::format {
namespace {

int RuneCount(std::string_view s) {
  int n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

TabWriter::TabWriter(int min_width, int tab_width, int padding, char pad_char)
    : min_width_(min_width), tab_width_(tab_width), padding_(padding), pad_char_(pad_char) {}

void TabWriter::TerminateCell(bool htab) {
  cell_.htab = htab;
  lines_.back().push_back(cell_);
  cell_ = Cell{};
}

void TabWriter::AddLine() { lines_.emplace_back(); }

void TabWriter::Write(std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch != '\t' && ch != '\v' && ch != '\n' && ch != '\f') continue;
    std::string_view piece = text.substr(start, i - start);
    buf_.append(piece);
    cell_.size += piece.size();
    cell_.width += RuneCount(piece);
    start = i + 1;
    TerminateCell(ch == '\t');
    size_t ncells = lines_.back().size();
    if (ch == '\n' || ch == '\f') {
      AddLine();
      // A line of one cell cannot influence the columns of later lines: flush now,
      // which is what makes a tab-less line end a column block.
      if (ch == '\f' || ncells == 1) FlushInto(out_);
    }
  }
  std::string_view rest = text.substr(start);
  buf_.append(rest);
  cell_.size += rest.size();
  cell_.width += RuneCount(rest);
}

std::string TabWriter::Flush() {
  if (cell_.size > 0) TerminateCell(false);
  FlushInto(out_);
  std::string result;
  result.swap(out_);
  return result;
}

void TabWriter::FlushInto(std::string& out) {
  Format(out, 0, 0, lines_.size());
  buf_.clear();
  cell_ = Cell{};
  lines_.assign(1, Line{});
  widths_.clear();
}

void TabWriter::WritePadding(std::string& out, int text_width, int cell_width) {
  if (pad_char_ == '\t') {
    // Tab padding: round up to a multiple of the tab width.
    if (tab_width_ == 0) return;
    cell_width = (cell_width + tab_width_ - 1) / tab_width_ * tab_width_;
    int n = cell_width - text_width;
    out.append(static_cast<size_t>((n + tab_width_ - 1) / tab_width_), '\t');
    return;
  }
  if (cell_width > text_width) out.append(static_cast<size_t>(cell_width - text_width), pad_char_);
}

size_t TabWriter::WriteLines(std::string& out, size_t pos, size_t line0, size_t line1) {
  for (size_t i = line0; i < line1; ++i) {
    const Line& line = lines_[i];
    for (size_t j = 0; j < line.size(); ++j) {
      const Cell& c = line[j];
      if (c.size > 0) {
        out.append(buf_, pos, c.size);
        pos += c.size;
      }
      if (j < widths_.size()) WritePadding(out, c.width, widths_[j]);
    }
    // The last buffered line has no newline of its own (it is still being written).
    if (i + 1 != lines_.size()) out += '\n';
  }
  return pos;
}

size_t TabWriter::Format(std::string& out, size_t pos, size_t line0, size_t line1) {
  size_t column = widths_.size();
  for (size_t cur = line0; cur < line1; ++cur) {
    if (column + 1 >= lines_[cur].size()) continue;
    // A cell exists in this column: print the lines above, then size the block.
    pos = WriteLines(out, pos, line0, cur);
    line0 = cur;
    int width = min_width_;
    for (; cur < line1; ++cur) {
      const Line& line = lines_[cur];
      if (column + 1 >= line.size()) break;
      width = std::max(width, line[column].width + padding_);
    }
    widths_.push_back(width);
    pos = Format(out, pos, line0, cur);
    widths_.pop_back();
    line0 = cur;
    if (cur >= line1) break;
  }
  return WriteLines(out, pos, line0, line1);
}

}  // namespace kiln::format
