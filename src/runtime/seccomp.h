// Seccomp for kiln's own isolation: a profile file read and resolved for a container
// (seccomp_profile.h), compiled to a BPF program with libseccomp, and installed in the
// container's process right before exec. Compiling allocates, installing does not, so a
// forked child of kiln (exec) only installs a program its parent compiled.
//
//   ASSIGN_OR_RETURN(std::optional<SeccompFilter> f, ReadSeccompFilter(path, spec.capabilities));
//   ASSIGN_OR_RETURN(SeccompProgram prog, CompileSeccompFilter(*f));
//   ... in the child:  if (InstallSeccompProgram(prog) != 0) fail(errno)
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/seccomp_profile.h"
#include "util/status.h"

namespace kiln::runtime {

// The filter of the profile at path for a container with these capabilities (its bounding
// set) on this machine; nullopt for path "" (no filter: --security-opt seccomp=unconfined).
// Errors in podman's words: "opening seccomp profile failed: open P: no such file or
// directory", "loading seccomp profile (P) failed: decoding seccomp profile failed: …".
Expected<std::optional<SeccompFilter>> ReadSeccompFilter(const std::string& path, const std::vector<int>& capabilities);

struct SeccompProgram {
  std::vector<sock_filter> instructions;  // empty: no filter
};

// The filter as a BPF program (libseccomp). Syscalls the host's libseccomp does not know
// are left out, as runc does.
Expected<SeccompProgram> CompileSeccompFilter(const SeccompFilter& filter);

// Installs the program on the calling thread (prctl PR_SET_SECCOMP). Without no_new_privs
// the caller needs CAP_SYS_ADMIN in its user namespace. Returns 0 or -1 with errno set;
// an empty program installs nothing. Async-signal-safe.
int InstallSeccompProgram(const SeccompProgram& program);

}  // namespace kiln::runtime
