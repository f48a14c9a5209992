//! Which drills a run makes: every scenario in every environment and region it selects, in one
//! fixed order; a CI shard's share of them (`--shard K/N`); an unannounced random sample
//! (`--pick N --seed S`) with a random start delay for each (`--start-within`).

use std::time::Duration;

use crate::formats::environment;
use crate::formats::{DrillConfig, Scenario};
pub use crate::vocab::{Selection, Shard};

/// One drill before anything is reached: a scenario in one environment and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Index into the run's scenarios.
    pub scenario: usize,
    /// `None`: the implicit environment (a config without `[[environment]]`).
    pub environment: Option<String>,
    /// `None`: whatever region the implicit environment's clients resolve.
    pub region: Option<String>,
    /// An unannounced drill waits this long before it starts.
    pub delay: Option<Duration>,
    pub unannounced: bool,
}

/// Every drill of the scenarios, ordered by scenario id, environment and region (the order
/// shards split): each scenario in every environment it selects, in each of its regions (a
/// global resource, IAM, once per environment: in its first region).
pub fn drills(config: &DrillConfig, scenarios: &[Scenario]) -> Vec<Planned> {
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    order.sort_by(|a, b| scenarios[*a].id.value.cmp(&scenarios[*b].id.value));
    let mut out = Vec::new();
    for i in order {
        let s = &scenarios[i];
        if config.environments.is_empty() {
            out.push(planned(i, None, None));
            continue;
        }
        let mut envs: Vec<_> = config
            .environments
            .iter()
            .filter(|e| environment::selected(&s.environments, &e.name.value))
            .collect();
        envs.sort_by(|a, b| a.name.value.cmp(&b.name.value));
        for e in envs {
            let regions = e
                .region_names()
                .take(if crate::inject::kind_of(s.target.kind).global {
                    1
                } else {
                    usize::MAX
                });
            for region in regions {
                out.push(planned(
                    i,
                    Some(e.name.value.clone()),
                    Some(region.to_string()),
                ));
            }
        }
    }
    out
}

fn planned(scenario: usize, environment: Option<String>, region: Option<String>) -> Planned {
    Planned {
        scenario,
        environment,
        region,
        delay: None,
        unannounced: false,
    }
}

/// Applies the selection: the shard's share (every N-th drill, starting at the K-th, so
/// shards differ by at most one drill), then the sample and delays. Returns the selection with
/// the seed it used (drawn when none was given).
pub fn select(all: Vec<Planned>, selection: &Selection) -> (Vec<Planned>, Selection) {
    let mut chosen: Vec<Planned> = match selection.shard {
        Some(s) => all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i as u32 % s.count == s.index - 1)
            .map(|(_, p)| p)
            .collect(),
        None => all,
    };
    let mut used = selection.clone();
    if !selection.unannounced() {
        return (chosen, used);
    }
    let seed = selection.seed.unwrap_or_else(random_seed);
    used.seed = Some(seed);
    let mut rng = SplitMix(seed);
    if let Some(n) = selection.pick {
        // A partial Fisher–Yates shuffle: the first n are a uniform sample, kept in plan order.
        let mut order: Vec<usize> = (0..chosen.len()).collect();
        for i in 0..n.min(order.len()) {
            let j = i + rng.below((order.len() - i) as u64) as usize;
            order.swap(i, j);
        }
        let mut keep: Vec<usize> = order.into_iter().take(n).collect();
        keep.sort_unstable();
        chosen = keep.into_iter().map(|i| chosen[i].clone()).collect();
    }
    for p in &mut chosen {
        p.unannounced = true;
        if let Some(within) = selection.start_within {
            let millis = within.as_millis().min(u64::MAX as u128) as u64;
            p.delay = Some(Duration::from_millis(rng.below(millis.max(1))));
        }
    }
    (chosen, used)
}

fn random_seed() -> u64 {
    let id = uuid::Uuid::new_v4();
    let (hi, lo) = id.as_u64_pair();
    hi ^ lo
}

/// SplitMix64: a small, well-mixed generator, so a stored seed replays the same sample on any
/// platform and version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let v = self.next();
            if v < zone {
                return v % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(n: usize) -> Vec<Planned> {
        (0..n).map(|i| planned(i, None, None)).collect()
    }

    #[test]
    fn shards_split_every_drill_exactly_once() {
        for count in 1..6u32 {
            let mut seen = Vec::new();
            for index in 1..=count {
                let shard = Shard { index, count };
                let (mine, _) = select(
                    all(11),
                    &Selection {
                        shard: Some(shard),
                        ..Default::default()
                    },
                );
                assert!(mine.len() >= 11 / count as usize);
                seen.extend(mine.into_iter().map(|p| p.scenario));
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..11).collect::<Vec<_>>(), "{count} shards");
        }
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_seed_replays_the_same_sample_and_delays() {
        let selection = Selection {
            pick: Some(3),
            seed: Some(42),
            start_within: Some(Duration::from_secs(3600)),
            ..Default::default()
        };
        let (a, used) = select(all(10), &selection);
        let (b, _) = select(all(10), &selection);
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
        assert_eq!(used.seed, Some(42));
        assert!(
            a.iter()
                .all(|p| p.unannounced && p.delay.is_some_and(|d| d < Duration::from_secs(3600)))
        );
        assert!(a.windows(2).all(|w| w[0].scenario < w[1].scenario));
        let (c, _) = select(
            all(10),
            &Selection {
                seed: Some(43),
                ..selection.clone()
            },
        );
        assert_ne!(a, c, "another seed, another sample");
    }

    #[test]
    fn no_seed_draws_one_and_records_it() {
        let (picked, used) = select(
            all(5),
            &Selection {
                pick: Some(9),
                ..Default::default()
            },
        );
        assert_eq!(picked.len(), 5, "picking more than there are runs them all");
        assert!(used.seed.is_some());
    }
}
