// tag, untag.
#include <cstdio>

#include "cli/commands.h"
#include "image/reference.h"

namespace kiln::cli {
namespace {

struct TagOptions {
  std::vector<std::string> args;
};

int RunTag(Context& ctx, const TagOptions& opts) {
  if (opts.args.size() < 2)
    return Fail(InvalidArgument("requires at least 2 arg(s), only received " + std::to_string(opts.args.size())));
  // Validate every new name before touching the store.
  std::vector<std::string> names;
  for (size_t i = 1; i < opts.args.size(); ++i) {
    auto ref = image::ParseTagTarget(opts.args[i]);
    if (!ref.ok()) return Fail(ref.status());
    names.push_back(ref->String());
  }
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto img = (*store)->LookupImage(opts.args[0]);
  if (!img.ok()) return Fail(img.status());
  Status st = (*store)->db().Transaction([&]() -> Status {
    for (const auto& n : names) RETURN_IF_ERROR((*store)->AddName(img->id, n));
    return Status::Ok();
  });
  return st.ok() ? 0 : Fail(st);
}

int RunUntag(Context& ctx, const TagOptions& opts) {
  if (opts.args.empty()) return Fail(InvalidArgument("requires at least 1 arg(s), only received 0"));
  auto store = ctx.Store();
  if (!store.ok()) return Fail(store.status());
  auto img = (*store)->LookupImage(opts.args[0]);
  if (!img.ok()) return Fail(img.status());
  std::vector<image::Reference> refs;
  for (size_t i = 1; i < opts.args.size(); ++i) {
    auto ref = image::ParseUntagTarget(opts.args[i]);
    if (!ref.ok()) return Fail(ref.status());
    refs.push_back(*ref);
  }
  Status st = (*store)->db().Transaction([&]() -> Status {
    if (refs.empty())  // no names given: all of them go
      for (const auto& n : img->names) RETURN_IF_ERROR((*store)->RemoveName(img->id, n));
    for (const auto& ref : refs)
      if (!(*store)->RemoveName(img->id, ref.String()).ok()) return image::TagNotKnown(ref);
    return Status::Ok();
  });
  return st.ok() ? 0 : Fail(st);
}

void AddTag(CLI::App& parent, Registry& r, bool untag) {
  auto opts = std::make_shared<TagOptions>();
  CLI::App* cmd = untag ? AddCommand(parent, "untag", "Remove a name from a local image")
                        : AddCommand(parent, "tag", "Add an additional name to a local image");
  cmd->add_option(untag ? "image-and-names" : "image-and-targets", opts->args,
                  untag ? "IMAGE [IMAGE...]" : "IMAGE TARGET_NAME [TARGET_NAME...]");
  cmd->callback([&r, opts, untag] { r.exit_code = untag ? RunUntag(r.ctx, *opts) : RunTag(r.ctx, *opts); });
}

}  // namespace

void RegisterTagCommands(Registry& r) {
  AddTag(r.root, r, false);
  AddTag(r.image, r, false);
  AddTag(r.root, r, true);
  AddTag(r.image, r, true);
}

}  // namespace kiln::cli
