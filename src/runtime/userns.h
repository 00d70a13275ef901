// Rootless kiln (DESIGN.md, "Runtime"): a non-root user's kiln works inside a user namespace
// in which uid/gid 0 is the user and 1..N are the user's ranges from /etc/subuid and
// /etc/subgid, set with newuidmap/newgidmap (Debian's uidmap). Everything else — layer
// extraction with real owners, overlay mounts, RUN steps, containers — runs inside it
// unchanged: a file owned by 123:456 in an image is stored as (first subuid + 122) on disk
// and reads back as 123:456.
//
// As podman does, one long-lived pause process owns the namespace (its pid is in
// RUNROOT/pause.pid) and every kiln of the user joins it with setns, early in main() while
// the process is still single-threaded. So the containers one kiln starts can be signalled,
// exported and removed by the next: from a sibling namespace, a container running as an
// unprivileged user could not even be stopped. A user without subordinate ranges gets a
// single-ID namespace (only the user, as 0); owners other than 0 in images then become 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/layer_apply.h"
#include "util/status.h"

namespace kiln::runtime {

using store::IdMapping;

// The ranges a subordinate-ID file (/etc/subuid, /etc/subgid: "name-or-id:start:count"
// lines) grants a user, known by name or by numeric ID, in file order.
std::vector<IdMapping> SubordinateRanges(const std::string& file_text, const std::string& user, uint32_t id);
// The namespace's mapping: 0 is the caller's own ID, then the ranges from 1 on.
std::vector<IdMapping> NamespaceMappings(uint32_t own_id, const std::vector<IdMapping>& ranges);
// A /proc/PID/uid_map or gid_map ("inside outside count" lines).
std::vector<IdMapping> ParseIdMap(const std::string& text);

// What entering the namespace has to tell the user (a single-ID namespace).
struct UserNamespaceNotes {
  std::string warning;
  // This process joined the namespace itself: it was started outside it (not from
  // `kiln unshare`), so mounts it makes are out of the user's sight (podman's mount check).
  bool joined = false;
};
// When kiln runs as a non-root user and is not in its namespace yet: joins the user's
// namespace, creating it (and its pause process) first when there is none. Must be called
// before any thread starts. Does nothing as root.
Expected<UserNamespaceNotes> EnterUserNamespace();
// Stops the user's pause process (`system migrate`): the next kiln makes a fresh namespace,
// e.g. after /etc/subuid changed. Containers still running keep their own namespace.
Status StopPauseProcess();

// The mappings of the namespace this process is in (identity for the initial one).
struct IdMappings {
  std::vector<IdMapping> uids, gids;
};
IdMappings CurrentIdMappings();
// Whether this process is in the initial user namespace (its uid_map maps all 2^32-1 IDs to
// themselves). Elsewhere (rootless kiln, or kiln in a container) trusted.* xattrs are out of
// reach: layers carry overlayfs' user.overlay.* markers, and overlay mounts need "userxattr".
bool InInitialUserNamespace();

}  // namespace kiln::runtime
