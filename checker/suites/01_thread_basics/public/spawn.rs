//! Public tests of `spawn_named` (src/spawn.rs).

use thread_basics::spawn_named;

#[test]
fn spawn_named_returns_one_info_per_name() {
    threadlings_harness::graded(|| {
        let names = ["alpha", "beta", "gamma"];
        let infos = spawn_named(&names);
        assert_eq!(
            infos.len(),
            names.len(),
            "spawn_named({names:?}) returned {} ThreadInfo values, expected one per name",
            infos.len()
        );
        let reported: Vec<Option<&str>> = infos.iter().map(|i| i.name.as_deref()).collect();
        let expected: Vec<Option<&str>> = names.iter().map(|&n| Some(n)).collect();
        assert_eq!(
            reported, expected,
            "each thread must report its own name (thread::current().name() inside the thread), \
             in the order of `names`; were the threads built with Builder::name?"
        );
    });
}

#[test]
fn threads_share_the_process_id() {
    threadlings_harness::graded(|| {
        let pid = std::process::id();
        let infos = spawn_named(&["one", "two"]);
        assert_eq!(
            infos.len(),
            2,
            "expected one ThreadInfo per name, got {infos:?}"
        );
        for info in &infos {
            assert_eq!(
                info.pid, pid,
                "thread {:?} reported pid {}, but the test process is {pid}: threads live inside \
                 their process, so std::process::id() is the same in every thread",
                info.name, info.pid
            );
        }
    });
}
