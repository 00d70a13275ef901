#include "lint/rules.h"

#include <algorithm>

namespace kiln::lint {

const std::vector<RuleInfo>& AllRules() {
  using S = Severity;
  static const std::vector<RuleInfo> rules = {
      // ---- The tutorial's advice (sections 3.4 and 8.3) ----
      {"MergeRunSteps", S::kWarning, "each RUN adds a layer; consecutive RUNs can be one",
       "join the commands with && in one RUN",
       "Every RUN instruction commits a new layer. Consecutive RUN steps with the same flags can be joined "
       "with && into one, which gives fewer layers and lets a later command in the same step delete what an "
       "earlier one left behind (package lists, downloads) before the layer is written."},
      {"PackageCacheNotCleaned", S::kWarning, "the package manager's cache stays in the layer",
       "clean the cache in the same RUN (rm -rf /var/lib/apt/lists/*, apk add --no-cache, dnf clean all, "
       "pip install --no-cache-dir)",
       "Package managers keep downloaded indexes and archives (apt's lists, dnf's and apk's caches, pip's and "
       "npm's download caches). A layer is written when its RUN ends, so a cleanup in a later RUN hides the files "
       "but does not remove their bytes from the image: clean in the same RUN that installs, or mount a cache "
       "with RUN --mount=type=cache."},
      {"AptNoInstallRecommends", S::kWarning, "apt-get install pulls in recommended packages too",
       "add --no-install-recommends",
       "By default apt-get install also installs every package the requested ones recommend, which is often "
       "most of the image's size and none of what the application needs. --no-install-recommends installs "
       "only the dependencies."},
      {"CopyContextBeforeDependencies", S::kWarning,
       "copying the whole context before installing dependencies re-installs them on every code change",
       "copy the dependency manifests (requirements.txt, package.json...) first, install, then COPY . .",
       "The build cache reuses a step only while everything before it is unchanged. When COPY . copies the "
       "whole context before the package install, any edit to any file invalidates the install step. Copy the "
       "files that list the dependencies first, run the install, and copy the rest of the code after it."},
      {"NoContainerignore", S::kWarning,
       "the context holds files a build should not send (.git, node_modules, build output)",
       "add a .containerignore that excludes them",
       "COPY . copies everything in the context that no .containerignore (or .dockerignore) excludes. "
       "Version control history, installed dependencies and build output make the context slow to hash, bust "
       "the cache on every change and end up in the image."},
      {"AddInsteadOfCopy", S::kWarning, "ADD of a local file or directory does what COPY does",
       "use COPY; keep ADD for URLs and archives to unpack",
       "ADD also fetches URLs and unpacks local tar archives. For plain files and directories COPY does the same "
       "with no surprises, so ADD there only hides the intent."},
      {"BaseImageNotPinned", S::kWarning, "the base image has no tag, or the moving tag latest",
       "name a version (FROM debian:12-slim) or a digest",
       "A base image without a tag means :latest, which changes whenever its publisher pushes: the same "
       "Containerfile builds different images on different days. Pin a version tag, or a digest for full "
       "reproducibility. Images under localhost/ are local (never pulled) and are not checked."},
      {"RunsAsRoot", S::kWarning, "the image's process runs as root",
       "add USER with an unprivileged user in the final stage",
       "Without a USER instruction (or with USER root) the container's process runs as root, so a compromise "
       "of the application is a compromise of root inside the container. Create or pick an unprivileged user "
       "and switch to it before CMD."},
      {"SecretsUsedInArgOrEnv", S::kWarning, "a secret in ARG or ENV is stored in the image",
       "pass secrets with RUN --mount=type=secret",
       "ENV values are part of the image configuration and ARG values are recorded in its history, so anyone "
       "with the image can read them. Use build secrets (--secret and RUN --mount=type=secret) for passwords, "
       "tokens and keys."},
      {"WorkdirRelativePath", S::kWarning, "a relative WORKDIR depends on the base image's working directory",
       "use an absolute path",
       "A relative WORKDIR is resolved against the previous working directory, which comes from the base image "
       "when the stage has not set one. If the base image changes its WORKDIR, the path changes with it."},
      {"CdInRun", S::kWarning, "cd in RUN only lasts for that step", "use WORKDIR to change directory",
       "Each RUN starts in the working directory that WORKDIR set; a cd inside RUN is forgotten at the end of "
       "the step and hides where later steps run. WORKDIR states it once for every following instruction."},
      {"JSONArgsRecommended", S::kWarning, "shell-form CMD/ENTRYPOINT does not receive signals",
       "use the exec form: CMD [\"executable\", \"arg\"]",
       "In shell form the command runs as a child of /bin/sh -c, which does not forward SIGTERM: podman stop "
       "waits for its timeout and then kills the process, without a clean shutdown. The JSON exec form runs the "
       "program as PID 1 of the container so it receives the signals."},
      {"ExposeInvalidPort", S::kError, "EXPOSE names a port or protocol that does not exist",
       "use a port 1-65535 with an optional /tcp, /udp or /sctp",
       "EXPOSE takes port numbers from 1 to 65535 (or a range such as 8000-8010) and an optional protocol "
       "(tcp, udp or sctp). Anything else is refused when the image runs."},
      // ---- BuildKit 0.15's checks ----
      {"StageNameCasing", S::kWarning, "stage names should be lower case", "write the stage name in lower case",
       "Stage names are case-insensitive and stored in lower case; writing them in another case makes "
       "COPY --from and --target references look like different names."},
      {"FromAsCasing", S::kWarning, "the 'as' keyword's case does not match the 'FROM' keyword's",
       "write FROM ... AS or from ... as",
       "Keywords are case-insensitive, but mixing cases in one instruction (FROM image as name) reads as a "
       "mistake. Use the same case for FROM and AS."},
      {"NoEmptyContinuation", S::kWarning, "an empty line inside a continued instruction",
       "remove the empty line or the trailing escape before it",
       "An empty line after a line-continuation escape is skipped, and the instruction goes on past it. Future "
       "versions of the syntax treat it as an error; it usually means a stray trailing backslash."},
      {"ConsistentInstructionCasing", S::kInfo, "instruction keywords mix upper and lower case",
       "write every keyword in the same case (upper case is the convention)",
       "Keywords are case-insensitive, but a file that mixes RUN and run is harder to read. Upper case is the "
       "convention."},
      {"DuplicateStageName", S::kError, "two stages have the same name", "give each stage its own name",
       "COPY --from and --target refer to stages by name; two stages with one name make the reference "
       "ambiguous and the build refuses it."},
      {"ReservedStageName", S::kWarning, "the stage name is a reserved word", "choose another name",
       "'scratch' and 'context' have meanings of their own in FROM and COPY --from, so a stage cannot usefully "
       "be called that."},
      {"MaintainerDeprecated", S::kWarning, "MAINTAINER is deprecated",
       "use LABEL org.opencontainers.image.authors=\"name\"",
       "MAINTAINER is kept for old files only; a label carries the same information and tools read it."},
      {"UndefinedArgInFrom", S::kWarning, "FROM uses a variable no ARG before it declares",
       "declare it with ARG before the first FROM",
       "Only ARGs declared before the first FROM (and the predefined platform ARGs) can be used in FROM. An "
       "undeclared variable expands to the empty string."},
      {"UndefinedVar", S::kWarning, "a variable is used but never defined in the stage",
       "declare it with ARG or ENV in this stage (ARGs before FROM must be re-declared)",
       "An instruction expands variables from the stage's ARG and ENV instructions and the base image's "
       "environment. An ARG declared before FROM is not visible inside a stage unless declared again; an "
       "undefined variable silently expands to the empty string."},
      {"MultipleInstructionsDisallowed", S::kWarning, "only the last CMD, ENTRYPOINT or HEALTHCHECK counts",
       "keep only one per stage",
       "A stage has one command, one entrypoint and one health check; each later instruction replaces the "
       "earlier one, so all but the last have no effect."},
      {"LegacyKeyValueFormat", S::kWarning, "'ENV key value' is the legacy form",
       "write ENV key=value",
       "The space-separated form sets one variable whose value is the rest of the line, which reads ambiguously "
       "and is deprecated. key=value can set several variables and quotes values explicitly."},
  };
  return rules;
}

const RuleInfo* FindRule(std::string_view id) {
  const auto& rules = AllRules();
  auto it = std::find_if(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

}  // namespace kiln::lint
