#include "format/parse.h"

#include <algorithm>

#include "format/lexer.h"

namespace kiln::format {

// ---- String forms (Go's Node.String) ----

void ListNode::WriteTo(std::string& out) const {
  for (const Node* n : nodes) n->WriteTo(out);
}

VariableNode::VariableNode(size_t p, std::string_view name) : Node(NodeType::kVariable, p) {
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    ident.emplace_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

void VariableNode::WriteTo(std::string& out) const {
  for (size_t i = 0; i < ident.size(); ++i) {
    if (i > 0) out += '.';
    out += ident[i];
  }
}

FieldNode::FieldNode(size_t p, std::string_view name) : Node(NodeType::kField, p) {
  // ".A.B" → {"A", "B"}
  size_t start = 1;
  for (;;) {
    size_t dot = name.find('.', start);
    ident.emplace_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

void FieldNode::WriteTo(std::string& out) const {
  for (const std::string& id : ident) out += "." + id;
}

void ChainNode::WriteTo(std::string& out) const {
  if (node->type == NodeType::kPipe) {
    out += '(';
    node->WriteTo(out);
    out += ')';
  } else {
    node->WriteTo(out);
  }
  for (const std::string& f : field) out += "." + f;
}

void CommandNode::WriteTo(std::string& out) const {
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    if (args[i]->type == NodeType::kPipe) {
      out += '(';
      args[i]->WriteTo(out);
      out += ')';
    } else {
      args[i]->WriteTo(out);
    }
  }
}

void PipeNode::WriteTo(std::string& out) const {
  if (!decl.empty()) {
    for (size_t i = 0; i < decl.size(); ++i) {
      if (i > 0) out += ", ";
      decl[i]->WriteTo(out);
    }
    out += " := ";
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (i > 0) out += " | ";
    cmds[i]->WriteTo(out);
  }
}

void ActionNode::WriteTo(std::string& out) const {
  out += "{{";
  pipe->WriteTo(out);
  out += "}}";
}

void BranchNode::WriteTo(std::string& out) const {
  out += type == NodeType::kIf ? "{{if " : type == NodeType::kRange ? "{{range " : "{{with ";
  pipe->WriteTo(out);
  out += "}}";
  list->WriteTo(out);
  if (else_list != nullptr) {
    out += "{{else}}";
    else_list->WriteTo(out);
  }
  out += "{{end}}";
}

void TemplateNode::WriteTo(std::string& out) const {
  out += "{{template " + Quote(name);
  if (pipe != nullptr) {
    out += ' ';
    pipe->WriteTo(out);
  }
  out += "}}";
}

std::string NodeLocation(const ParsedTemplates& t, const Node& node) {
  std::string_view before = std::string_view(t.text).substr(0, std::min(node.pos, t.text.size()));
  size_t last_newline = before.rfind('\n');
  size_t col = last_newline == std::string_view::npos ? node.pos : node.pos - (last_newline + 1);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  return t.name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

namespace {

// Deep nesting (parentheses, control structures) would exhaust the C++ stack long before
// Go's limit of 10000; both the parser and the executor recurse per level.
constexpr int kMaxNesting = 1000;

bool IsEmptyTree(const Node* n) {
  if (n == nullptr) return true;
  switch (n->type) {
    case NodeType::kComment: return true;
    case NodeType::kList:
      return std::all_of(static_cast<const ListNode*>(n)->nodes.begin(), static_cast<const ListNode*>(n)->nodes.end(),
                         IsEmptyTree);
    case NodeType::kText: {
      const std::string& text = static_cast<const TextNode*>(n)->text;
      return text.find_first_not_of(" \t\r\n\v\f") == std::string::npos;
    }
    default: return false;
  }
}

class Parser {
 public:
  Parser(ParsedTemplates& out, std::vector<Token> tokens) : out_(out), tokens_(std::move(tokens)) {}

  Status ParseAll() {
    ASSIGN_OR_RETURN(ListNode * root, ParseTop());
    return AddTree(out_.name, root);
  }

 private:
  template <typename T, typename... Args>
  T* New(Args&&... args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T* raw = node.get();
    out_.arena.push_back(std::move(node));
    return raw;
  }

  // Token access. Go reports errors at the line of the furthest token read.
  const Token& Next() {
    const Token& t = tokens_[std::min(pos_, tokens_.size() - 1)];
    if (pos_ < tokens_.size()) ++pos_;
    furthest_ = std::max(furthest_, pos_ - 1);
    return t;
  }
  void Backup() { --pos_; }
  const Token& Peek() {
    const Token& t = Next();
    Backup();
    return t;
  }
  const Token& NextNonSpace() {
    for (;;) {
      const Token& t = Next();
      if (t.type != TokenType::kSpace) return t;
    }
  }
  const Token& PeekNonSpace() {
    const Token& t = NextNonSpace();
    Backup();
    return t;
  }

  Status Errorf(const std::string& message) {
    int line = tokens_[std::min(furthest_, tokens_.size() - 1)].line;
    return InvalidArgument("template: " + out_.name + ":" + std::to_string(line) + ": " + message);
  }

  Status Unexpected(const Token& token, std::string_view context) {
    if (token.type == TokenType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        extra = " in action started at " + out_.name + ":" + std::to_string(action_line_);
        if (token.val.ends_with(" action")) extra = extra.substr(std::string_view(" in action").size());
      }
      return Errorf(token.val + extra);
    }
    return Errorf("unexpected " + DescribeToken(token) + " in " + std::string(context));
  }

  Expected<const Token*> Expect(TokenType type, std::string_view context) {
    const Token& t = NextNonSpace();
    if (t.type != type) return Unexpected(t, context);
    return &t;
  }

  // Guards recursion: one level per parenthesis or nested control structure.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) { ++p_.nesting_; }
    ~Nest() { --p_.nesting_; }
    bool TooDeep() const { return p_.nesting_ > kMaxNesting; }

   private:
    Parser& p_;
  };

  Status AddTree(const std::string& name, ListNode* root) {
    auto it = out_.trees.find(name);
    if (it == out_.trees.end() || IsEmptyTree(it->second)) {
      out_.trees[name] = root;
      return Status::Ok();
    }
    if (!IsEmptyTree(root)) return Errorf("template: multiple definition of template " + Quote(name));
    return Status::Ok();
  }

  Expected<ListNode*> ParseTop() {
    ListNode* root = New<ListNode>(Peek().pos);
    while (Peek().type != TokenType::kEof) {
      if (Peek().type == TokenType::kLeftDelim) {
        size_t delim = pos_;
        Next();
        if (NextNonSpace().type == TokenType::kDefine) {
          RETURN_IF_ERROR(ParseDefinition());
          continue;
        }
        pos_ = delim;
      }
      ASSIGN_OR_RETURN(Node * n, TextOrAction());
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) return Errorf("unexpected " + n->String());
      root->nodes.push_back(n);
    }
    return root;
  }

  // {{define "name"}} … {{end}}: a separate tree with its own variables.
  Status ParseDefinition() {
    const char* context = "define clause";
    const Token& name_token = NextNonSpace();
    if (name_token.type != TokenType::kString && name_token.type != TokenType::kRawString) {
      return Unexpected(name_token, context);
    }
    auto name = Unquote(name_token.val);
    if (!name.ok()) return Errorf(name.status().message());
    ASSIGN_OR_RETURN(const Token* close, Expect(TokenType::kRightDelim, context));
    (void)close;
    auto saved_vars = std::exchange(vars_, {"$"});
    int saved_range_depth = std::exchange(range_depth_, 0);
    ListNode* list = nullptr;
    Node* end = nullptr;
    RETURN_IF_ERROR(ItemList(&list, &end));
    if (end->type != NodeType::kEnd) return Errorf("unexpected " + end->String() + " in " + context);
    vars_ = std::move(saved_vars);
    range_depth_ = saved_range_depth;
    return AddTree(*name, list);
  }

  // Nodes up to {{end}} or {{else}}, returned in *end.
  Status ItemList(ListNode** list, Node** end) {
    Nest nest(*this);
    if (nest.TooDeep()) return Errorf("max expression depth exceeded");
    *list = New<ListNode>(PeekNonSpace().pos);
    while (PeekNonSpace().type != TokenType::kEof) {
      ASSIGN_OR_RETURN(Node * n, TextOrAction());
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        *end = n;
        return Status::Ok();
      }
      (*list)->nodes.push_back(n);
    }
    return Errorf("unexpected EOF");
  }

  Expected<Node*> TextOrAction() {
    const Token& token = NextNonSpace();
    switch (token.type) {
      case TokenType::kText: return static_cast<Node*>(New<TextNode>(token.pos, token.val));
      case TokenType::kLeftDelim: {
        action_line_ = token.line;  // for "unclosed action started at …"
        auto n = Action();
        action_line_ = 0;
        return n;
      }
      default: return Unexpected(token, "input");
    }
  }

  Expected<Node*> Action() {
    const Token& token = NextNonSpace();
    switch (token.type) {
      case TokenType::kBlock: return BlockControl();
      case TokenType::kBreak: return LoopControl(token, true);
      case TokenType::kContinue: return LoopControl(token, false);
      case TokenType::kElse: return ElseControl();
      case TokenType::kEnd: {
        ASSIGN_OR_RETURN(const Token* t, Expect(TokenType::kRightDelim, "end"));
        return static_cast<Node*>(New<EndNode>(t->pos));
      }
      case TokenType::kIf: return Control(NodeType::kIf);
      case TokenType::kRange: return Control(NodeType::kRange);
      case TokenType::kTemplate: return TemplateControl();
      case TokenType::kWith: return Control(NodeType::kWith);
      default: break;
    }
    Backup();
    const Token& start = Peek();
    ASSIGN_OR_RETURN(PipeNode * pipe, Pipeline("command", TokenType::kRightDelim));
    return static_cast<Node*>(New<ActionNode>(start.pos, start.line, pipe));
  }

  Expected<Node*> LoopControl(const Token& keyword, bool is_break) {
    const char* name = is_break ? "{{break}}" : "{{continue}}";
    const Token& token = NextNonSpace();
    if (token.type != TokenType::kRightDelim) return Unexpected(token, name);
    if (range_depth_ == 0) return Errorf(std::string(name) + " outside {{range}}");
    if (is_break) return static_cast<Node*>(New<BreakNode>(keyword.pos, keyword.line));
    return static_cast<Node*>(New<ContinueNode>(keyword.pos, keyword.line));
  }

  Expected<Node*> ElseControl() {
    // "{{else if …" and "{{else with …" are parsed as "{{else}}{{if …" (one {{end}}).
    const Token& peek = PeekNonSpace();
    if (peek.type == TokenType::kIf || peek.type == TokenType::kWith) {
      return static_cast<Node*>(New<ElseNode>(peek.pos, peek.line));
    }
    ASSIGN_OR_RETURN(const Token* t, Expect(TokenType::kRightDelim, "else"));
    return static_cast<Node*>(New<ElseNode>(t->pos, t->line));
  }

  // if / range / with: Go's parseControl.
  Expected<Node*> Control(NodeType type) {
    const char* context = type == NodeType::kIf ? "if" : type == NodeType::kRange ? "range" : "with";
    size_t vars_mark = vars_.size();
    ASSIGN_OR_RETURN(PipeNode * pipe, Pipeline(context, TokenType::kRightDelim));
    if (type == NodeType::kRange) ++range_depth_;
    ListNode* list = nullptr;
    Node* next = nullptr;
    RETURN_IF_ERROR(ItemList(&list, &next));
    if (type == NodeType::kRange) --range_depth_;
    ListNode* else_list = nullptr;
    if (next->type == NodeType::kElse) {
      // else-if chains (Go) and else-with chains (Go 1.23): the nested control takes the
      // single {{end}}.
      TokenType chained = type == NodeType::kIf ? TokenType::kIf : type == NodeType::kWith ? TokenType::kWith : TokenType::kEof;
      if (chained != TokenType::kEof && Peek().type == chained) {
        Next();
        else_list = New<ListNode>(next->pos);
        ASSIGN_OR_RETURN(Node * nested, Control(type));
        else_list->nodes.push_back(nested);
      } else {
        Node* end = nullptr;
        RETURN_IF_ERROR(ItemList(&else_list, &end));
        if (end->type != NodeType::kEnd) return Errorf("expected end; found " + end->String());
      }
    }
    vars_.resize(vars_mark);
    return static_cast<Node*>(New<BranchNode>(type, pipe->pos, pipe->line, pipe, list, else_list));
  }

  Expected<std::string> TemplateName(const Token& token, std::string_view context) {
    if (token.type != TokenType::kString && token.type != TokenType::kRawString) return Unexpected(token, context);
    auto name = Unquote(token.val);
    if (!name.ok()) return Errorf(name.status().message());
    return *name;
  }

  Expected<Node*> TemplateControl() {
    const char* context = "template clause";
    const Token& token = NextNonSpace();
    ASSIGN_OR_RETURN(std::string name, TemplateName(token, context));
    PipeNode* pipe = nullptr;
    if (NextNonSpace().type != TokenType::kRightDelim) {
      Backup();
      ASSIGN_OR_RETURN(pipe, Pipeline(context, TokenType::kRightDelim));
    }
    return static_cast<Node*>(New<TemplateNode>(token.pos, token.line, std::move(name), pipe));
  }

  // {{block "name" pipeline}} … {{end}} = {{define "name"}} … {{end}}{{template "name" pipeline}}
  Expected<Node*> BlockControl() {
    const char* context = "block clause";
    const Token& token = NextNonSpace();
    ASSIGN_OR_RETURN(std::string name, TemplateName(token, context));
    ASSIGN_OR_RETURN(PipeNode * pipe, Pipeline(context, TokenType::kRightDelim));
    auto saved_vars = std::exchange(vars_, {"$"});
    int saved_range_depth = std::exchange(range_depth_, 0);
    ListNode* list = nullptr;
    Node* end = nullptr;
    RETURN_IF_ERROR(ItemList(&list, &end));
    if (end->type != NodeType::kEnd) return Errorf("unexpected " + end->String() + " in " + context);
    vars_ = std::move(saved_vars);
    range_depth_ = saved_range_depth;
    RETURN_IF_ERROR(AddTree(name, list));
    return static_cast<Node*>(New<TemplateNode>(token.pos, token.line, std::move(name), pipe));
  }

  Expected<PipeNode*> Pipeline(std::string_view context, TokenType end) {
    const Token& first = PeekNonSpace();
    PipeNode* pipe = New<PipeNode>(first.pos, first.line);
    RETURN_IF_ERROR(Declarations(pipe, context));
    for (;;) {
      const Token& token = NextNonSpace();
      if (token.type == end) {
        RETURN_IF_ERROR(CheckPipeline(pipe, context));
        return pipe;
      }
      switch (token.type) {
        case TokenType::kBool:
        case TokenType::kCharConstant:
        case TokenType::kComplex:
        case TokenType::kDot:
        case TokenType::kField:
        case TokenType::kIdentifier:
        case TokenType::kNumber:
        case TokenType::kNil:
        case TokenType::kRawString:
        case TokenType::kString:
        case TokenType::kVariable:
        case TokenType::kLeftParen: {
          Backup();
          ASSIGN_OR_RETURN(CommandNode * cmd, Command());
          pipe->cmds.push_back(cmd);
          break;
        }
        default: return Unexpected(token, context);
      }
    }
  }

  // "$x :=", "$x =", and in range "$i, $e :=".
  Status Declarations(PipeNode* pipe, std::string_view context) {
    for (;;) {
      const Token& v = PeekNonSpace();
      if (v.type != TokenType::kVariable) return Status::Ok();
      size_t before = pos_;
      NextNonSpace();
      size_t after_variable = pos_;
      const Token& token_after = Peek();
      const Token& next = PeekNonSpace();
      if (next.type == TokenType::kAssign || next.type == TokenType::kDeclare) {
        pipe->is_assign = next.type == TokenType::kAssign;
        NextNonSpace();
        pipe->decl.push_back(New<VariableNode>(v.pos, v.val));
        vars_.push_back(v.val);
        return Status::Ok();
      }
      if (next.type == TokenType::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decl.push_back(New<VariableNode>(v.pos, v.val));
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          TokenType t = PeekNonSpace().type;
          if (t == TokenType::kVariable || t == TokenType::kRightDelim || t == TokenType::kRightParen) continue;
          return Errorf("range can only initialize variables");
        }
        return Errorf("too many declarations in " + std::string(context));
      }
      // Not a declaration: "$x" is an operand; put it back.
      (void)token_after;
      (void)after_variable;
      pos_ = before;
      return Status::Ok();
    }
  }

  Status CheckPipeline(PipeNode* pipe, std::string_view context) {
    if (pipe->cmds.empty()) return Errorf("missing value for " + std::string(context));
    for (size_t i = 1; i < pipe->cmds.size(); ++i) {
      switch (pipe->cmds[i]->args[0]->type) {
        case NodeType::kBool:
        case NodeType::kDot:
        case NodeType::kNil:
        case NodeType::kNumber:
        case NodeType::kString:
          return Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
        default: break;
      }
    }
    return Status::Ok();
  }

  Expected<CommandNode*> Command() {
    CommandNode* cmd = New<CommandNode>(PeekNonSpace().pos);
    for (;;) {
      PeekNonSpace();  // skip leading spaces
      ASSIGN_OR_RETURN(Node * operand, Operand());
      if (operand != nullptr) cmd->args.push_back(operand);
      const Token& token = Next();
      if (token.type == TokenType::kSpace) continue;
      if (token.type == TokenType::kRightDelim || token.type == TokenType::kRightParen) {
        Backup();
      } else if (token.type != TokenType::kPipe) {
        return Unexpected(token, "operand");
      }
      break;
    }
    if (cmd->args.empty()) return Errorf("empty command");
    return cmd;
  }

  Expected<Node*> Operand() {
    ASSIGN_OR_RETURN(Node * node, Term());
    if (node == nullptr || Peek().type != TokenType::kField) return node;
    ChainNode* chain = New<ChainNode>(Peek().pos, node);
    while (Peek().type == TokenType::kField) chain->field.push_back(Next().val.substr(1));
    // Fields after a field or variable extend it; after a literal they are an error.
    switch (node->type) {
      case NodeType::kField:
      case NodeType::kVariable: {
        std::string joined = chain->String();
        if (node->type == NodeType::kField) return static_cast<Node*>(New<FieldNode>(chain->pos, joined));
        return static_cast<Node*>(New<VariableNode>(chain->pos, joined));
      }
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        return Errorf("unexpected . after term " + Quote(node->String()));
      default: return static_cast<Node*>(chain);
    }
  }

  Expected<Node*> Term() {
    const Token& token = NextNonSpace();
    switch (token.type) {
      case TokenType::kIdentifier: {
        auto func = LookupFunction(token.val);
        if (!func) return Errorf("function " + Quote(token.val) + " not defined");
        return static_cast<Node*>(New<IdentifierNode>(token.pos, token.val, *func));
      }
      case TokenType::kDot: return static_cast<Node*>(New<DotNode>(token.pos));
      case TokenType::kNil: return static_cast<Node*>(New<NilNode>(token.pos));
      case TokenType::kVariable: {
        VariableNode* v = New<VariableNode>(token.pos, token.val);
        if (std::find(vars_.begin(), vars_.end(), v->ident[0]) == vars_.end()) {
          return Errorf("undefined variable " + Quote(v->ident[0]));
        }
        return static_cast<Node*>(v);
      }
      case TokenType::kField: return static_cast<Node*>(New<FieldNode>(token.pos, token.val));
      case TokenType::kBool: return static_cast<Node*>(New<BoolNode>(token.pos, token.val == "true"));
      case TokenType::kCharConstant: {
        auto r = UnquoteCharLiteral(token.val);
        if (!r.ok()) return Errorf(r.status().message());
        NumberLiteral n;
        n.is_int = n.is_uint = n.is_float = true;
        n.int_value = static_cast<int64_t>(*r);
        n.uint_value = *r;
        n.float_value = static_cast<double>(*r);
        return static_cast<Node*>(New<NumberNode>(token.pos, token.val, n));
      }
      case TokenType::kComplex: return Errorf("complex constants are not supported: " + token.val);
      case TokenType::kNumber: {
        if (token.val.ends_with('i')) return Errorf("complex constants are not supported: " + token.val);
        auto n = ParseNumberLiteral(token.val);
        if (!n.ok()) return Errorf(n.status().message());
        return static_cast<Node*>(New<NumberNode>(token.pos, token.val, *n));
      }
      case TokenType::kLeftParen: {
        Nest nest(*this);
        if (nest.TooDeep()) return Errorf("max expression depth exceeded");
        ASSIGN_OR_RETURN(PipeNode * pipe, Pipeline("parenthesized pipeline", TokenType::kRightParen));
        return static_cast<Node*>(pipe);
      }
      case TokenType::kString:
      case TokenType::kRawString: {
        auto s = Unquote(token.val);
        if (!s.ok()) return Errorf(s.status().message());
        return static_cast<Node*>(New<StringNode>(token.pos, token.val, *s));
      }
      default: Backup(); return static_cast<Node*>(nullptr);
    }
  }

  ParsedTemplates& out_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t furthest_ = 0;
  std::vector<std::string> vars_{"$"};
  int range_depth_ = 0;
  int action_line_ = 0;
  int nesting_ = 0;
};

}  // namespace

Expected<std::unique_ptr<ParsedTemplates>> ParseTemplates(std::string name, std::string text) {
  auto out = std::make_unique<ParsedTemplates>();
  out->name = std::move(name);
  out->text = std::move(text);
  Parser parser(*out, Lex(out->text));
  RETURN_IF_ERROR(parser.ParseAll());
  return out;
}

}  // namespace kiln::format
