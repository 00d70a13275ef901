// libFuzzer target: any bytes as a Containerfile, then every instruction's pieces through the
// variable expander (as the builder would), and the same bytes as one ONBUILD trigger line.
// Must neither crash nor hang.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "containerfile/containerfile.h"
#include "containerfile/expand.h"

namespace {

using kiln::build::Instruction;

std::optional<std::string> Lookup(std::string_view name) {
  if (name == "A") return std::string("a");
  if (name == "SPACES") return std::string(" x  y ");
  if (name == "EMPTY") return std::string();
  if (name == "Q") return std::string("'\"$A\\");
  return std::nullopt;
}

void ExpandAll(const Instruction& inst, char escape) {
  const kiln::build::VarLookup vars = Lookup;
  (void)kiln::build::ExpandWords(inst.rest, vars, escape);
  (void)kiln::build::ReferencedVars(inst.rest, escape);
  for (const std::string& arg : inst.args) {
    (void)kiln::build::ExpandWord(arg, vars, escape);
    (void)kiln::build::ExpandWords(arg, vars, escape);
  }
  for (const kiln::build::Flag& flag : inst.flags) (void)kiln::build::ExpandWord(flag.value, vars, escape);
  for (const kiln::build::Heredoc& doc : inst.heredocs) {
    if (doc.expand) (void)kiln::build::ExpandWord(doc.content, vars, escape);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = kiln::build::ParseContainerfile(text, "Containerfile");
  if (file.ok()) {
    for (const Instruction& arg : file->global_args) ExpandAll(arg, file->escape);
    for (const kiln::build::Stage& stage : file->stages) {
      ExpandAll(stage.from, file->escape);
      for (const Instruction& inst : stage.instructions) ExpandAll(inst, file->escape);
    }
  }
  auto line = kiln::build::ParseInstructionLine(text, '\\');
  if (line.ok()) ExpandAll(*line, '`');
  (void)kiln::build::ExpandWords(text, Lookup, '\\');
  return 0;
}
