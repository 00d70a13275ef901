// Running another architecture's programs: the kernel's binfmt_misc hands such a program to
// an emulator registered for its ELF header. Debian's qemu-user-static registers
// qemu-ARCH handlers with the F flag (the emulator is opened at registration), so the
// emulator runs inside a container's rootfs too. kiln checks the registration; it never
// registers emulators itself (that is the host administrator's choice).
#pragma once

#include <string>
#include <string_view>

#include "image/index.h"
#include "util/status.h"

namespace kiln::runtime {

inline constexpr const char* kBinfmtMiscDir = "/proc/sys/fs/binfmt_misc";

// qemu's name for a Go architecture ("arm64" → "aarch64", "amd64" → "x86_64").
std::string QemuArch(std::string_view goarch);

// Whether running `target`'s programs on this host needs an emulator (another architecture).
bool NeedsEmulator(const image::Platform& target, const image::Platform& host);

// Ok when binfmt_misc (mounted at binfmt_dir) has an enabled qemu-ARCH handler with the F
// flag for the target's architecture. The error names the platform, what is missing and the
// fix (Debian's qemu-user-static, binfmt_misc mounted).
Status CheckEmulator(const image::Platform& target, const std::string& binfmt_dir = kBinfmtMiscDir);

}  // namespace kiln::runtime
