// The parse trees of Go's text/template (package text/template/parse): nodes with Go's
// positions and String() forms (both show up in execution errors), and the parser.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/funcs.h"
#include "util/go_strconv.h"
#include "util/status.h"

namespace kiln::format {

enum class NodeType {
  kText, kAction, kBool, kChain, kCommand, kDot, kField, kIdentifier, kIf, kList, kNil,
  kNumber, kPipe, kRange, kString, kTemplate, kVariable, kWith, kComment, kBreak, kContinue,
  kElse, kEnd,
};

struct Node {
  Node(NodeType t, size_t p) : type(t), pos(p) {}
  virtual ~Node() = default;
  virtual void WriteTo(std::string& out) const = 0;
  std::string String() const {
    std::string s;
    WriteTo(s);
    return s;
  }
  NodeType type;
  size_t pos;  // byte offset in the template text
};

struct ListNode : Node {
  explicit ListNode(size_t p) : Node(NodeType::kList, p) {}
  void WriteTo(std::string& out) const override;
  std::vector<Node*> nodes;
};

struct TextNode : Node {
  TextNode(size_t p, std::string t) : Node(NodeType::kText, p), text(std::move(t)) {}
  void WriteTo(std::string& out) const override { out += text; }
  std::string text;
};

struct VariableNode : Node {
  VariableNode(size_t p, std::string_view name);
  void WriteTo(std::string& out) const override;
  std::vector<std::string> ident;  // "$x.A.B" → {"$x", "A", "B"}
};

struct CommandNode : Node {
  explicit CommandNode(size_t p) : Node(NodeType::kCommand, p) {}
  void WriteTo(std::string& out) const override;
  std::vector<Node*> args;
};

struct PipeNode : Node {
  PipeNode(size_t p, int l) : Node(NodeType::kPipe, p), line(l) {}
  void WriteTo(std::string& out) const override;
  int line;
  bool is_assign = false;  // $x = … rather than $x := …
  std::vector<VariableNode*> decl;
  std::vector<CommandNode*> cmds;
};

struct ActionNode : Node {
  ActionNode(size_t p, int l, PipeNode* pp) : Node(NodeType::kAction, p), line(l), pipe(pp) {}
  void WriteTo(std::string& out) const override;
  int line;
  PipeNode* pipe;
};

struct IdentifierNode : Node {
  IdentifierNode(size_t p, std::string name, FuncId f) : Node(NodeType::kIdentifier, p), ident(std::move(name)), func(f) {}
  void WriteTo(std::string& out) const override { out += ident; }
  std::string ident;
  FuncId func;
};

struct DotNode : Node {
  explicit DotNode(size_t p) : Node(NodeType::kDot, p) {}
  void WriteTo(std::string& out) const override { out += '.'; }
};

struct NilNode : Node {
  explicit NilNode(size_t p) : Node(NodeType::kNil, p) {}
  void WriteTo(std::string& out) const override { out += "nil"; }
};

struct FieldNode : Node {
  FieldNode(size_t p, std::string_view name);  // ".A.B"
  void WriteTo(std::string& out) const override;
  std::vector<std::string> ident;
};

struct ChainNode : Node {  // (pipeline).A.B
  ChainNode(size_t p, Node* n) : Node(NodeType::kChain, p), node(n) {}
  void WriteTo(std::string& out) const override;
  Node* node;
  std::vector<std::string> field;
};

struct BoolNode : Node {
  BoolNode(size_t p, bool v) : Node(NodeType::kBool, p), value(v) {}
  void WriteTo(std::string& out) const override { out += value ? "true" : "false"; }
  bool value;
};

struct NumberNode : Node {
  NumberNode(size_t p, std::string t, NumberLiteral n) : Node(NodeType::kNumber, p), text(std::move(t)), num(n) {}
  void WriteTo(std::string& out) const override { out += text; }
  std::string text;
  NumberLiteral num;
};

struct StringNode : Node {
  StringNode(size_t p, std::string q, std::string t) : Node(NodeType::kString, p), quoted(std::move(q)), text(std::move(t)) {}
  void WriteTo(std::string& out) const override { out += quoted; }
  std::string quoted;  // as written, quotes included
  std::string text;
};

struct EndNode : Node {
  explicit EndNode(size_t p) : Node(NodeType::kEnd, p) {}
  void WriteTo(std::string& out) const override { out += "{{end}}"; }
};

struct ElseNode : Node {
  ElseNode(size_t p, int l) : Node(NodeType::kElse, p), line(l) {}
  void WriteTo(std::string& out) const override { out += "{{else}}"; }
  int line;
};

struct CommentNode : Node {
  CommentNode(size_t p, std::string t) : Node(NodeType::kComment, p), text(std::move(t)) {}
  void WriteTo(std::string& out) const override { out += "{{" + text + "}}"; }
  std::string text;
};

struct BreakNode : Node {
  BreakNode(size_t p, int l) : Node(NodeType::kBreak, p), line(l) {}
  void WriteTo(std::string& out) const override { out += "{{break}}"; }
  int line;
};

struct ContinueNode : Node {
  ContinueNode(size_t p, int l) : Node(NodeType::kContinue, p), line(l) {}
  void WriteTo(std::string& out) const override { out += "{{continue}}"; }
  int line;
};

// if, range and with.
struct BranchNode : Node {
  BranchNode(NodeType t, size_t p, int l, PipeNode* pp, ListNode* li, ListNode* el)
      : Node(t, p), line(l), pipe(pp), list(li), else_list(el) {}
  void WriteTo(std::string& out) const override;
  int line;
  PipeNode* pipe;
  ListNode* list;
  ListNode* else_list;  // may be null
};

struct TemplateNode : Node {
  TemplateNode(size_t p, int l, std::string n, PipeNode* pp) : Node(NodeType::kTemplate, p), line(l), name(std::move(n)), pipe(pp) {}
  void WriteTo(std::string& out) const override;
  int line;
  std::string name;
  PipeNode* pipe;  // may be null
};

// Everything one Parse produced: the named trees (the template itself and its
// {{define}}s / {{block}}s), the nodes they point into, and the text for error positions.
struct ParsedTemplates {
  std::string name;  // the top-level template, also the ParseName in error locations
  std::string text;
  std::map<std::string, ListNode*, std::less<>> trees;
  std::vector<std::unique_ptr<Node>> arena;
};

// Parses like template.New(name).Funcs(podman's funcs).Parse(text). Errors read
// "template: NAME:LINE: message".
Expected<std::unique_ptr<ParsedTemplates>> ParseTemplates(std::string name, std::string text);

// "NAME:LINE:COL" of a node, as Go's Tree.ErrorContext reports it.
std::string NodeLocation(const ParsedTemplates& t, const Node& node);

}  // namespace kiln::format
