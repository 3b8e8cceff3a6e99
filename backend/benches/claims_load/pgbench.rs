//! The same machine's baseline: pgbench inserting single rows with a jsonb
//! column into the same Postgres, at several client counts; the comparison is
//! against the best of them (pgbench at 8 clients, the figure used before
//! 2026-12-07, is about a quarter below its best on two cores).

use std::process::Command;

/// Client counts tried; each runs for the same time.
const CLIENTS: &[u32] = &[8, 16, 32, 64];

/// pgbench's rate at each client count, and the best.
pub struct Baseline {
    pub rates: Vec<(u32, f64)>,
}

impl Baseline {
    pub fn best(&self) -> Option<(u32, f64)> {
        self.rates
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    pub fn at(&self, clients: u32) -> Option<f64> {
        self.rates
            .iter()
            .find(|(c, _)| *c == clients)
            .map(|(_, r)| *r)
    }
}

/// Runs the sweep against `url` for `seconds` per client count.
pub fn run(url: &str, seconds: u64) -> anyhow::Result<Baseline> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO bench_rows (id, body) VALUES (gen_random_uuid(), '{\"a\": 1, \"b\": \"text\"}');\n",
    )?;
    let psql = |sql: &str| Command::new("psql").arg(url).arg("-qc").arg(sql).status();
    psql("CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, body jsonb NOT NULL)")?;
    let mut rates = Vec::new();
    for clients in CLIENTS {
        let out = Command::new("pgbench")
            .args(["-n", "-j", "2", "-c", &clients.to_string()])
            .args(["-T", &seconds.to_string(), "-f"])
            .arg(&script)
            .arg(url)
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let tps = text
            .lines()
            .find(|l| l.starts_with("tps"))
            .and_then(|l| l.split_whitespace().nth(2))
            .and_then(|v| v.parse::<f64>().ok());
        match tps {
            Some(tps) => rates.push((*clients, tps)),
            None => eprintln!(
                "pgbench with {clients} clients did not report a rate: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    psql("DROP TABLE IF EXISTS bench_rows")?;
    Ok(Baseline { rates })
}
