"""The CPU emulator for the CUDA kernels: ``cuda_emu.h`` (the launch model), ``build`` (g++)
and ``launcher`` (ctypes, bounds checking)."""

from minitorch.backends.cuda.emulator.launcher import (
                                                     DataRace,
                                                     Deadlock,
                                                     EmulatedLauncher,
                                                     KernelFault,
)

__all__ = ["DataRace", "Deadlock", "EmulatedLauncher", "KernelFault"]
