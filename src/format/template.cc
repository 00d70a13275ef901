// Execution of parse trees: Go's text/template exec.go, with Go's error texts and its
// view of types (a value read out of an interface{} is "boxed" until a pipeline ends).
#include <cstdint>
#include <span>

#include "format/funcs.h"
#include "format/gofmt.h"
#include "format/methods.h"
#include "format/parse.h"
#include "format/template.h"

namespace kiln::format {
namespace {

// Go allows 100000 nested template calls; C++ frames are larger than goroutine stacks grow
// to, so both template calls and overall recursion are capped lower.
constexpr int kMaxTemplateDepth = 1000;
constexpr int kMaxNesting = 3000;
// Frame sizes vary (sanitizer builds use several times more), so the stack actually used is
// capped too; 4 MiB leaves room on the usual 8 MiB main-thread stack.
constexpr uintptr_t kMaxStackBytes = uintptr_t{4} << 20;

uintptr_t StackPosition() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }

using Args = std::span<Node* const>;

// What a pipeline stage yields to the next: the value inside an interface{}; a nil
// interface becomes "no value" (Go's reflect.ValueOf(v.Interface())).
Value Unbox(Value v) {
  if (v.kind() == Kind::kNil && !v.IsPointer()) return Value::Invalid();
  if (v.IsBoxed()) return std::move(v).Boxed(false);
  return v;
}

class Executor {
 public:
  Executor(const ParsedTemplates& t, std::string& out, const ExecLimits& limits)
      : t_(t), tmpl_name_(t.name), out_(out), limits_(limits), stack_base_(StackPosition()) {}

  Status Run(const Value& data) {
    auto it = t_.trees.find(t_.name);
    if (it == t_.trees.end()) return Errorf(Quote(t_.name) + " is an incomplete or empty template");
    Value dot = Unbox(data);
    vars_.emplace_back("$", dot);
    return Walk(dot, it->second);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  // Counts recursion; fails once it is deeper than the C++ stack can safely go.
  class Nest {
   public:
    explicit Nest(Executor& e) : e_(e) { ++e_.nesting_; }
    ~Nest() { --e_.nesting_; }
    bool TooDeep() const {
      return e_.nesting_ > kMaxNesting || e_.stack_base_ - StackPosition() > kMaxStackBytes;  // stacks grow down
    }

   private:
    Executor& e_;
  };

  Status Errorf(const std::string& message) const {
    if (node_ == nullptr) return InvalidArgument("template: " + std::string(tmpl_name_) + ": " + message);
    return InvalidArgument("template: " + NodeLocation(t_, *node_) + ": executing " + Quote(tmpl_name_) + " at <" +
                           node_->String() + ">: " + message);
  }

  void At(const Node* n) { node_ = n; }

  Status CheckLimits() {
    ++steps_;
    if (limits_.max_steps != 0 && steps_ > limits_.max_steps) return Errorf("execution exceeded the step limit");
    if (out_.size() > limits_.max_output_bytes) return Errorf("output exceeded the size limit");
    return Status::Ok();
  }

  // ---- Statements ----

  Status Walk(const Value& dot, const Node* node) {
    Nest nest(*this);
    if (nest.TooDeep()) return Errorf("exceeded maximum nesting depth (" + std::to_string(kMaxNesting) + ")");
    At(node);
    switch (node->type) {
      case NodeType::kAction: {
        RETURN_IF_ERROR(CheckLimits());
        const auto* action = static_cast<const ActionNode*>(node);
        ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, action->pipe));
        if (action->pipe->decl.empty()) {
          At(node);
          AppendPrintable(out_, val);
        }
        return Status::Ok();
      }
      case NodeType::kBreak: flow_ = Flow::kBreak; return Status::Ok();
      case NodeType::kContinue: flow_ = Flow::kContinue; return Status::Ok();
      case NodeType::kComment: return Status::Ok();
      case NodeType::kIf:
      case NodeType::kWith: return WalkIfOrWith(dot, static_cast<const BranchNode*>(node));
      case NodeType::kList:
        for (const Node* n : static_cast<const ListNode*>(node)->nodes) {
          RETURN_IF_ERROR(Walk(dot, n));
          if (flow_ != Flow::kNormal) break;
        }
        return Status::Ok();
      case NodeType::kRange: return WalkRange(dot, static_cast<const BranchNode*>(node));
      case NodeType::kTemplate: return WalkTemplate(dot, static_cast<const TemplateNode*>(node));
      case NodeType::kText:
        RETURN_IF_ERROR(CheckLimits());
        out_ += static_cast<const TextNode*>(node)->text;
        return Status::Ok();
      default: return Errorf("unknown node: " + node->String());
    }
  }

  Status WalkIfOrWith(const Value& dot, const BranchNode* n) {
    size_t mark = vars_.size();
    ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, n->pipe));
    Status st;
    if (IsTrue(val)) {
      st = Walk(n->type == NodeType::kWith ? val : dot, n->list);
    } else if (n->else_list != nullptr) {
      st = Walk(dot, n->else_list);
    }
    vars_.resize(mark);
    return st;
  }

  Status WalkRange(const Value& dot, const BranchNode* r) {
    At(r);
    size_t mark = vars_.size();
    ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, r->pipe));
    if (val.IsPointer() && val.kind() != Kind::kNil) val = val.Elem();
    size_t body_mark = vars_.size();
    auto one_iteration = [&](Value index, const Value& elem) -> Status {
      if (!r->pipe->decl.empty()) vars_[vars_.size() - 1].second = elem;
      if (r->pipe->decl.size() > 1) vars_[vars_.size() - 2].second = std::move(index);
      Status st = Walk(elem, r->list);
      vars_.resize(body_mark);
      return st;
    };
    bool iterated = false;
    if (val.kind() == Kind::kSlice && !val.IsPointer()) {
      const auto& items = val.Items();
      for (size_t i = 0; i < items.size(); ++i) {
        iterated = true;
        RETURN_IF_ERROR(one_iteration(Value(static_cast<int>(i)), items[i]));
        if (ConsumeLoopFlow()) break;
      }
    } else if (val.kind() == Kind::kMap && !val.IsPointer()) {
      for (const auto& [key, item] : val.Entries()) {
        iterated = true;
        RETURN_IF_ERROR(one_iteration(Value(key), item));
        if (ConsumeLoopFlow()) break;
      }
    } else if (val.kind() != Kind::kInvalid) {
      return Errorf("range can't iterate over " + GoSprint(std::span(&val, 1)));
    }
    Status st;
    if (!iterated && r->else_list != nullptr) st = Walk(dot, r->else_list);
    vars_.resize(mark);
    return st;
  }

  // After one iteration: true if the loop must stop ({{break}}).
  bool ConsumeLoopFlow() {
    Flow f = flow_;
    flow_ = Flow::kNormal;
    return f == Flow::kBreak;
  }

  Status WalkTemplate(const Value& dot, const TemplateNode* t) {
    At(t);
    auto it = t_.trees.find(t->name);
    if (it == t_.trees.end()) return Errorf("template " + Quote(t->name) + " not defined");
    if (template_depth_ == kMaxTemplateDepth) {
      return Errorf("exceeded maximum template depth (" + std::to_string(kMaxTemplateDepth) + ")");
    }
    ASSIGN_OR_RETURN(Value new_dot, EvalPipeline(dot, t->pipe));
    // No dynamic scoping: the called template sees only its own $.
    std::vector<std::pair<std::string_view, Value>> saved_vars;
    saved_vars.swap(vars_);
    vars_.emplace_back("$", new_dot);
    std::string_view saved_name = std::exchange(tmpl_name_, it->first);
    ++template_depth_;
    Status st = Walk(new_dot, it->second);
    --template_depth_;
    tmpl_name_ = saved_name;
    vars_.swap(saved_vars);
    return st;
  }

  // ---- Expressions ----

  Expected<Value> EvalPipeline(const Value& dot, const PipeNode* pipe) {
    if (pipe == nullptr) return Value::Invalid();
    Nest nest(*this);
    if (nest.TooDeep()) return Errorf("exceeded maximum nesting depth (" + std::to_string(kMaxNesting) + ")");
    At(pipe);
    Value value;
    bool first = true;
    for (const CommandNode* cmd : pipe->cmds) {
      ASSIGN_OR_RETURN(Value next, EvalCommand(dot, cmd, first ? nullptr : &value));
      value = Unbox(std::move(next));
      first = false;
    }
    for (const VariableNode* v : pipe->decl) {
      if (pipe->is_assign) {
        RETURN_IF_ERROR(SetVar(v->ident[0], value));
      } else {
        vars_.emplace_back(v->ident[0], value);
      }
    }
    return value;
  }

  Status SetVar(std::string_view name, const Value& value) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = value;
        return Status::Ok();
      }
    }
    return Errorf("undefined variable: " + std::string(name));
  }

  Expected<Value> VarValue(std::string_view name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    return Errorf("undefined variable: " + std::string(name));
  }

  Status NotAFunction(Args args, const Value* final) {
    if (args.size() > 1 || final != nullptr) return Errorf("can't give argument to non-function " + args[0]->String());
    return Status::Ok();
  }

  Expected<Value> EvalCommand(const Value& dot, const CommandNode* cmd, const Value* final) {
    const Node* first = cmd->args[0];
    Args args = cmd->args;
    switch (first->type) {
      case NodeType::kField: return EvalFieldNode(dot, static_cast<const FieldNode*>(first), args, final);
      case NodeType::kChain: return EvalChainNode(dot, static_cast<const ChainNode*>(first), args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, static_cast<const IdentifierNode*>(first), cmd, args, final);
      case NodeType::kPipe:
        RETURN_IF_ERROR(NotAFunction(args, final));
        return EvalPipeline(dot, static_cast<const PipeNode*>(first));
      case NodeType::kVariable: return EvalVariableNode(dot, static_cast<const VariableNode*>(first), args, final);
      default: break;
    }
    At(first);
    RETURN_IF_ERROR(NotAFunction(args, final));
    switch (first->type) {
      case NodeType::kBool: return Value(static_cast<const BoolNode*>(first)->value);
      case NodeType::kDot: return dot;
      case NodeType::kNil: return Errorf("nil is not a command");
      case NodeType::kNumber: return IdealConstant(static_cast<const NumberNode*>(first));
      case NodeType::kString: return Value(static_cast<const StringNode*>(first)->text);
      default: return Errorf("can't evaluate command " + Quote(first->String()));
    }
  }

  // An untyped number constant: a float if it is written like one, else an int.
  Expected<Value> IdealConstant(const NumberNode* n) {
    At(n);
    const std::string& text = n->text;
    bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                   text.find_first_of("pP") == std::string::npos;
    bool rune_int = !text.empty() && text[0] == '\'';
    if (n->num.is_float && !hex_int && !rune_int && text.find_first_of(".eEpP") != std::string::npos) {
      return Value(n->num.float_value);
    }
    if (n->num.is_int) return Value::Int(n->num.int_value);
    if (n->num.is_uint) return Errorf(text + " overflows int");
    return Value::Invalid();
  }

  Expected<Value> EvalFieldNode(const Value& dot, const FieldNode* field, Args args, const Value* final) {
    At(field);
    return EvalFieldChain(dot, dot, field, field->ident, args, final);
  }

  Expected<Value> EvalChainNode(const Value& dot, const ChainNode* chain, Args args, const Value* final) {
    At(chain);
    if (chain->node->type == NodeType::kNil) return Errorf("indirection through explicit nil in " + chain->String());
    ASSIGN_OR_RETURN(Value receiver, EvalArg(dot, ParamType::kValue, chain->node));
    return EvalFieldChain(dot, receiver, chain, chain->field, args, final);
  }

  Expected<Value> EvalVariableNode(const Value& dot, const VariableNode* v, Args args, const Value* final) {
    At(v);
    ASSIGN_OR_RETURN(Value value, VarValue(v->ident[0]));
    if (v->ident.size() == 1) {
      if (!args.empty()) RETURN_IF_ERROR(NotAFunction(args, final));
      return value;
    }
    return EvalFieldChain(dot, value, v, std::span(v->ident).subspan(1), args, final);
  }

  Expected<Value> EvalFieldChain(const Value& dot, Value receiver, const Node* node, std::span<const std::string> idents,
                                 Args args, const Value* final) {
    for (size_t i = 0; i + 1 < idents.size(); ++i) {
      ASSIGN_OR_RETURN(receiver, EvalField(dot, node, idents[i], {}, nullptr, receiver));
    }
    return EvalField(dot, node, idents.back(), args, final, receiver);
  }

  // A field, map key or method of the receiver; as in Go, a method wins (its arguments are
  // the command's other words, and a pipeline's value as the last).
  Expected<Value> EvalField(const Value& dot, const Node* node, const std::string& name, Args args, const Value* final,
                            const Value& receiver) {
    if (receiver.kind() == Kind::kInvalid) return Value::Invalid();  // e.g. a field of a missing map key
    std::string type(receiver.static_type_name());
    if (const Method* method = FindMethod(receiver, name)) return EvalMethod(dot, node, *method, args, final, receiver);
    if (receiver.kind() == Kind::kNil) {
      // time.Time has no exported fields: Go says so before it looks at the nil pointer.
      if (receiver.type_name() == "*time.Time") return Errorf("can't evaluate field " + name + " in type " + type);
      return Errorf("nil pointer evaluating " + type + "." + name);
    }
    bool has_args = args.size() > 1 || final != nullptr;
    const Value& r = receiver;
    if (r.kind() == Kind::kStruct) {
      if (const Field* f = r.FindField(name)) {
        if (has_args) return Errorf(name + " has arguments but cannot be invoked as function");
        return f->value;
      }
    } else if (r.kind() == Kind::kMap) {
      if (has_args) return Errorf(name + " is not a method but has arguments");
      const Value* found = r.FindKey(name);
      return found != nullptr ? *found : Value::Invalid();
    }
    return Errorf("can't evaluate field " + name + " in type " + type);
  }

  // Go's evalCall for a method value: the argument count, then the result count, then each
  // argument against its parameter type.
  Expected<Value> EvalMethod(const Value& dot, const Node* node, const Method& method, Args args, const Value* final,
                             const Value& receiver) {
    const std::string name(method.name);
    if (!args.empty()) args = args.subspan(1);  // the field itself
    size_t num_in = args.size() + (final != nullptr ? 1 : 0);
    if (num_in != method.params.size()) {
      return Errorf("wrong number of args for " + name + ": want " + std::to_string(method.params.size()) + " got " +
                    std::to_string(num_in));
    }
    if (method.num_out != 1) {
      return Errorf("can't call method/function " + Quote(name) + " with " + std::to_string(method.num_out) +
                    " results");
    }
    std::vector<Value> argv;
    for (size_t i = 0; i < args.size(); ++i) {
      ASSIGN_OR_RETURN(Value v, EvalArg(dot, method.params[i], args[i]));
      argv.push_back(std::move(v));
    }
    if (final != nullptr) {
      ASSIGN_OR_RETURN(Value v, ValidateType(*final, method.params.back()));
      argv.push_back(std::move(v));
    }
    At(node);
    if (receiver.kind() == Kind::kNil) {
      // A value method through a nil pointer: Go's runtime panics, text/template reports it.
      return Errorf("error calling " + name + ": value method time.Time." + name + " called using nil *Time pointer");
    }
    auto result = method.call(receiver, argv);
    if (!result.ok()) return Errorf("error calling " + name + ": " + result.status().message());
    return std::move(result).value();
  }

  Expected<Value> EvalFunction(const Value& dot, const IdentifierNode* ident, const Node* cmd, Args args,
                               const Value* final) {
    At(ident);
    return EvalCall(dot, ident->func, cmd, ident->ident, args, final);
  }

  Expected<Value> EvalCall(const Value& dot, FuncId func, const Node* node, const std::string& name, Args args,
                           const Value* final) {
    if (!args.empty()) args = args.subspan(1);  // the function's own name
    const FuncSignature& sig = SignatureOf(func);
    size_t num_in = args.size() + (final != nullptr ? 1 : 0);
    size_t num_fixed = args.size();
    if (sig.variadic) {
      num_fixed = sig.fixed.size();
      if (num_in < num_fixed) {
        return Errorf("wrong number of args for " + name + ": want at least " + std::to_string(sig.fixed.size()) +
                      " got " + std::to_string(args.size()));
      }
    } else if (num_in != sig.fixed.size()) {
      return Errorf("wrong number of args for " + name + ": want " + std::to_string(sig.fixed.size()) + " got " +
                    std::to_string(num_in));
    }
    if (func == FuncId::kAnd || func == FuncId::kOr) return EvalAndOr(dot, func == FuncId::kOr, args, final);

    std::vector<Value> argv;
    argv.reserve(num_in);
    size_t i = 0;
    for (; i < num_fixed && i < args.size(); ++i) {
      ASSIGN_OR_RETURN(Value v, EvalArg(dot, sig.fixed[i], args[i]));
      argv.push_back(std::move(v));
    }
    for (; i < args.size(); ++i) {
      ASSIGN_OR_RETURN(Value v, EvalArg(dot, *sig.variadic, args[i]));
      argv.push_back(std::move(v));
    }
    if (final != nullptr) {
      ParamType t = sig.variadic ? (num_in - 1 < num_fixed ? sig.fixed[num_in - 1] : *sig.variadic) : sig.fixed.back();
      ASSIGN_OR_RETURN(Value v, ValidateType(*final, t));
      argv.push_back(std::move(v));
    }
    auto result = CallFunction(func, argv);
    if (!result.ok()) {
      At(node);
      return Errorf("error calling " + name + ": " + result.status().message());
    }
    return std::move(result).value();
  }

  // and/or evaluate their operands left to right and stop at the first that decides.
  Expected<Value> EvalAndOr(const Value& dot, bool is_or, Args args, const Value* final) {
    Value v;
    for (const Node* arg : args) {
      ASSIGN_OR_RETURN(v, EvalArg(dot, ParamType::kValue, arg));
      if (IsTrue(v) == is_or) return v;
    }
    if (final != nullptr) return ValidateType(*final, ParamType::kValue);
    return v;
  }

  Expected<Value> EvalArg(const Value& dot, ParamType type, const Node* n) {
    At(n);
    switch (n->type) {
      case NodeType::kDot: return ValidateType(dot, type);
      case NodeType::kNil:
        switch (type) {
          case ParamType::kValue: return Value::Invalid();
          case ParamType::kAny: return Value();
          case ParamType::kStringSlice: return Value::NilSlice("[]string");
          default: return Errorf("cannot assign nil to " + std::string(ParamTypeName(type)));
        }
      case NodeType::kField: {
        Node* const self[] = {const_cast<Node*>(n)};
        ASSIGN_OR_RETURN(Value v, EvalFieldNode(dot, static_cast<const FieldNode*>(n), self, nullptr));
        return ValidateType(std::move(v), type);
      }
      case NodeType::kVariable: {
        ASSIGN_OR_RETURN(Value v, EvalVariableNode(dot, static_cast<const VariableNode*>(n), {}, nullptr));
        return ValidateType(std::move(v), type);
      }
      case NodeType::kPipe: {
        ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, static_cast<const PipeNode*>(n)));
        return ValidateType(std::move(v), type);
      }
      case NodeType::kIdentifier: {
        const auto* ident = static_cast<const IdentifierNode*>(n);
        ASSIGN_OR_RETURN(Value v, EvalFunction(dot, ident, ident, {}, nullptr));
        return ValidateType(std::move(v), type);
      }
      case NodeType::kChain: {
        ASSIGN_OR_RETURN(Value v, EvalChainNode(dot, static_cast<const ChainNode*>(n), {}, nullptr));
        return ValidateType(std::move(v), type);
      }
      default: break;
    }
    switch (type) {
      case ParamType::kString:
        if (n->type == NodeType::kString) return Value(static_cast<const StringNode*>(n)->text);
        return Errorf("expected string; found " + n->String());
      case ParamType::kInt:
        if (n->type == NodeType::kNumber && static_cast<const NumberNode*>(n)->num.is_int) {
          return Value::Int(static_cast<const NumberNode*>(n)->num.int_value);
        }
        return Errorf("expected integer; found " + n->String());
      case ParamType::kDuration:
        if (n->type == NodeType::kNumber && static_cast<const NumberNode*>(n)->num.is_int) {
          return Value::Int(static_cast<const NumberNode*>(n)->num.int_value, "time.Duration");
        }
        return Errorf("expected integer; found " + n->String());
      case ParamType::kAny:
      case ParamType::kValue: return EvalEmptyInterface(dot, n);
      case ParamType::kStringSlice:
      case ParamType::kTime: break;
    }
    return Errorf("can't handle " + n->String() + " for arg of type " + std::string(ParamTypeName(type)));
  }

  Expected<Value> EvalEmptyInterface(const Value& dot, const Node* n) {
    At(n);
    switch (n->type) {
      case NodeType::kBool: return Value(static_cast<const BoolNode*>(n)->value);
      case NodeType::kNumber: return IdealConstant(static_cast<const NumberNode*>(n));
      case NodeType::kString: return Value(static_cast<const StringNode*>(n)->text);
      default: return Errorf("can't handle assignment of " + n->String() + " to empty interface argument");
    }
  }

  // Go's validateType: can this value be passed as a parameter of that type?
  Expected<Value> ValidateType(Value value, ParamType type) {
    if (value.kind() == Kind::kInvalid) {
      switch (type) {
        case ParamType::kValue: return value;
        case ParamType::kAny: return Value();
        case ParamType::kStringSlice: return Value::NilSlice("[]string");
        default: return Errorf("invalid value; expected " + std::string(ParamTypeName(type)));
      }
    }
    std::string_view want;
    switch (type) {
      case ParamType::kValue:
      case ParamType::kAny: return value;
      case ParamType::kString: want = "string"; break;
      case ParamType::kInt: want = "int"; break;
      case ParamType::kStringSlice: want = "[]string"; break;
      case ParamType::kTime:
        // A *time.Time goes in as the time it points to (Go's validateType dereferences).
        if (value.IsPointer() && value.kind() == Kind::kNil && value.type_name() == "*time.Time") {
          return Errorf("dereference of nil pointer of type time.Time");
        }
        if (value.kind() == Kind::kTime) return Unbox(value.Elem());
        want = "time.Time";
        break;
      case ParamType::kDuration: want = "time.Duration"; break;
    }
    if (!value.IsPointer() && value.kind() != Kind::kNil && value.type_name() == want) return Unbox(std::move(value));
    std::string got(value.kind() == Kind::kNil && !value.IsPointer() ? "interface {}" : value.type_name());
    return Errorf("wrong type for value; expected " + std::string(want) + "; got " + got);
  }

  const ParsedTemplates& t_;
  std::string_view tmpl_name_;  // the template being executed, for "executing NAME"
  const Node* node_ = nullptr;  // the node being evaluated, for error locations
  std::vector<std::pair<std::string_view, Value>> vars_;
  std::string& out_;
  const ExecLimits& limits_;
  Flow flow_ = Flow::kNormal;
  int template_depth_ = 0;
  int nesting_ = 0;
  uint64_t steps_ = 0;
  uintptr_t stack_base_;
};

}  // namespace

Expected<Template> Template::Parse(std::string name, std::string_view text) {
  ASSIGN_OR_RETURN(std::unique_ptr<ParsedTemplates> parsed, ParseTemplates(std::move(name), std::string(text)));
  return Template(std::shared_ptr<const ParsedTemplates>(std::move(parsed)));
}

Status Template::Execute(const Value& data, std::string* out, const ExecLimits& limits) const {
  return Executor(*parsed_, *out, limits).Run(data);
}

Expected<std::string> Template::Execute(const Value& data) const {
  std::string out;
  RETURN_IF_ERROR(Execute(data, &out));
  return out;
}

const std::string& Template::name() const { return parsed_->name; }

}  // namespace kiln::format
