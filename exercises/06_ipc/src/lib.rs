//! Topic 06_ipc.
