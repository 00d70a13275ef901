// Who kiln acts for. A non-root user's kiln runs inside a user namespace in which it is
// uid 0 (runtime/userns.h); entering it records the caller's real IDs in the environment,
// which every later kiln process (the detached monitor, `kiln unshare`'s children) inherits,
// so that default paths and messages still name the user and not root.
#pragma once

#include <sys/types.h>

#include <string>

namespace kiln {

inline constexpr char kRootlessUidEnv[] = "_KILN_ROOTLESS_UID";
inline constexpr char kRootlessGidEnv[] = "_KILN_ROOTLESS_GID";

// True for a non-root user's kiln, before and after it entered its user namespace.
bool Rootless();
// The user's IDs as the host sees them (getuid()/getgid() before the namespace).
uid_t CallerUid();
gid_t CallerGid();
// True inside a user namespace that maps one ID only (a user without /etc/subuid ranges):
// there, files can belong to nobody but root, and chown to other IDs fails with EINVAL.
bool SingleIdUserNamespace();
// A rootless user's runtime directory: $XDG_RUNTIME_DIR, else /tmp/kiln-UID (podman's
// /tmp/podman-run-UID), where kiln keeps run state and what podman keeps there (auth.json).
std::string RootlessRuntimeDir();

}  // namespace kiln
