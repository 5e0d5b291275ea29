//! Topic 04_shared_state.
