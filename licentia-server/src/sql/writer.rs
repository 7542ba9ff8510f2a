//! Write transactions, and on SQLite the group commit: one writer at a
//! time in this process, whose turns share one open transaction (a
//! *batch*) while others queue, each request's work inside it under a
//! savepoint. A request is answered only after the COMMIT that holds its
//! work; a request that fails rolls back to its savepoint, so the others'
//! work stays. One fsync then serves many requests instead of one each.
//!
//! The steps that touch a batch (open a turn, end it, commit) run in tasks
//! of their own, so a request whose client went away (its future dropped)
//! cannot stop them half-way; a batch handed on to a waiting writer has a
//! timer that commits it if nobody else does.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

use crate::store::{Fault, StoreError, StoreResult};

/// A batch is handed on to the next writer only while it holds fewer
/// requests than this...
const BATCH_REQUESTS: usize = 64;
/// ...and is younger than this; its timer commits it at this age.
const BATCH_AGE: Duration = Duration::from_millis(10);

/// The savepoint of the request working in a batch (released or rolled
/// back before the next one starts, so one name serves all).
const SAVEPOINT: &str = "SAVEPOINT turn";
const RELEASE: &str = "RELEASE turn";
const UNDO: &str = "ROLLBACK TO turn; RELEASE turn";

/// What a request's COMMIT ended with.
type Committed = Result<(), Fault>;

/// The SQLite writer slot, shared with the tasks that end turns.
#[derive(Debug, Default)]
pub(super) struct Writer {
    slot: Arc<Mutex<Option<Batch>>>,
    /// Writers waiting for the slot: while any are, a batch is handed on.
    waiting: Arc<AtomicUsize>,
    batches: AtomicU64,
}

/// An open transaction and the requests whose work it holds.
#[derive(Debug)]
struct Batch {
    tx: Transaction<'static, Any>,
    id: u64,
    opened: Instant,
    /// One per request whose work is in the batch: its COMMIT's result.
    done: Vec<oneshot::Sender<Committed>>,
    /// Whether its timer runs.
    timed: bool,
    /// A request ended without committing (its future dropped): its
    /// savepoint is rolled back before anything else.
    abandoned: bool,
}

/// A write transaction: on SQLite, this process's writer turn.
pub(super) struct Tx {
    /// The connection, in its transaction (on SQLite, the batch's).
    pub(super) tx: Held,
    turn: Option<Turn>,
}

/// The connection of a [`Tx`], taken back when the turn ends.
pub(super) struct Held(Option<Transaction<'static, Any>>);

/// A SQLite writer turn: the slot, and the batch it holds, minus its
/// transaction (in [`Tx::tx`]).
struct Turn {
    slot: OwnedMutexGuard<Option<Batch>>,
    waiting: Arc<AtomicUsize>,
    id: u64,
    opened: Instant,
    done: Vec<oneshot::Sender<Committed>>,
    timed: bool,
    /// False for the first request of a batch: it owns the whole
    /// transaction, so it needs no savepoint.
    savepoint: bool,
}

impl Deref for Held {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.0.as_ref().expect("a transaction in use")
    }
}

impl DerefMut for Held {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.0.as_mut().expect("a transaction in use")
    }
}

impl Held {
    fn take(&mut self) -> Transaction<'static, Any> {
        self.0.take().expect("a transaction in use")
    }
}

/// Counts a writer waiting for the slot until it has it or gives up.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Writer {
    /// Waits (up to `wait`) for the slot, then continues the open batch or
    /// opens one.
    pub(super) async fn begin(&self, pool: &AnyPool, wait: Duration) -> StoreResult<Tx> {
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let waiting = Waiting(self.waiting.clone());
        let slot = tokio::time::timeout(wait, self.slot.clone().lock_owned())
            .await
            .map_err(|_| {
                tracing::warn!(?wait, "write queue: waited too long for a turn");
                StoreError::Unavailable(Fault::Busy)
            })?;
        drop(waiting);
        let id = self.batches.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(open(slot, pool.clone(), self.waiting.clone(), id))
            .await
            .map_err(StoreError::internal)?
    }
}

/// The first step of a turn: a savepoint in the open batch, or a new batch.
async fn open(
    mut slot: OwnedMutexGuard<Option<Batch>>,
    pool: AnyPool,
    waiting: Arc<AtomicUsize>,
    id: u64,
) -> StoreResult<Tx> {
    if let Some(mut batch) = slot.take() {
        let undone = if batch.abandoned {
            run(&mut batch.tx, UNDO).await
        } else {
            Ok(())
        };
        match undone {
            // Whether its work was undone is unknown: it all goes.
            Err(e) => fail(batch, e),
            Ok(()) => match run(&mut batch.tx, SAVEPOINT).await {
                Ok(()) => {
                    return Ok(Tx {
                        tx: Held(Some(batch.tx)),
                        turn: Some(Turn {
                            slot,
                            waiting,
                            id: batch.id,
                            opened: batch.opened,
                            done: batch.done,
                            timed: batch.timed,
                            savepoint: true,
                        }),
                    })
                }
                Err(_) => {
                    batch.abandoned = false;
                    settle(batch).await;
                }
            },
        }
    }
    let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    Ok(Tx {
        tx: Held(Some(tx)),
        turn: Some(Turn {
            slot,
            waiting,
            id,
            opened: Instant::now(),
            done: Vec::new(),
            timed: false,
            savepoint: false,
        }),
    })
}

impl Tx {
    /// A transaction of its own (PostgreSQL, or SQLite outside the
    /// writer slot).
    pub(super) fn alone(tx: Transaction<'static, Any>) -> Tx {
        Tx {
            tx: Held(Some(tx)),
            turn: None,
        }
    }

    /// Whether this transaction is PostgreSQL's, whose writes run side by
    /// side (SQLite's take turns in this process).
    pub(super) fn on_postgres(&self) -> bool {
        self.tx.backend_name() == "PostgreSQL"
    }

    /// Commits this request's work: returns once the COMMIT that holds it
    /// is done.
    pub(super) async fn commit(self) -> StoreResult<()> {
        self.commit_when(false).await
    }

    /// Ends a write that lost a race (its row was changed since it was
    /// read): the batch holding the winner is committed now, not handed
    /// on, so the caller's next read sees the winner and its retry can
    /// succeed (a retry would otherwise read the same committed state for
    /// as long as writers keep the batch open).
    pub(super) async fn lost_race(self) -> StoreResult<()> {
        self.commit_when(true).await
    }

    async fn commit_when(mut self, now: bool) -> StoreResult<()> {
        let tx = self.tx.take();
        let Some(turn) = self.turn.take() else {
            return Ok(tx.commit().await?);
        };
        let (done, committed) = oneshot::channel();
        tokio::spawn(end(turn, tx, Some(done), now));
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(fault)) => Err(StoreError::Unavailable(fault)),
            Err(_) => Err(StoreError::internal("a write batch ended unanswered")),
        }
    }

    /// Rolls this request's work back (the batch's other work stays).
    pub(super) async fn rollback(mut self) -> StoreResult<()> {
        let tx = self.tx.take();
        let Some(turn) = self.turn.take() else {
            return Ok(tx.rollback().await?);
        };
        tokio::spawn(end(turn, tx, None, false))
            .await
            .map_err(StoreError::internal)
    }

    /// Undoes this request's work so far and goes on in the same turn.
    /// `false` when it cannot (it has the transaction to itself: roll it
    /// back instead), so what it reads after sees only committed work.
    pub(super) async fn undo(&mut self) -> StoreResult<bool> {
        if !self.turn.as_ref().is_some_and(|t| t.savepoint) {
            return Ok(false);
        }
        run(&mut self.tx, "ROLLBACK TO turn").await?;
        Ok(true)
    }
}

impl Drop for Tx {
    /// A request that ended without committing (an error, or its future
    /// dropped): alone in its transaction, it is rolled back (sqlx does it
    /// on drop); in a batch, its savepoint is marked for the batch's next
    /// user to roll back, and the batch goes back in the slot.
    fn drop(&mut self) {
        let (Some(mut turn), Some(tx)) = (self.turn.take(), self.tx.0.take()) else {
            return;
        };
        if turn.savepoint {
            *turn.slot = Some(Batch {
                tx,
                id: turn.id,
                opened: turn.opened,
                done: std::mem::take(&mut turn.done),
                timed: turn.timed,
                abandoned: true,
            });
        }
    }
}

/// The last step of a turn: release (`done` given) or roll back the
/// request's savepoint, then hand the batch on to the next writer if one
/// waits and the batch is young and small enough (and not to be committed
/// `now`), else commit it.
async fn end(
    mut turn: Turn,
    tx: Transaction<'static, Any>,
    done: Option<oneshot::Sender<Committed>>,
    now: bool,
) {
    if !turn.savepoint && done.is_none() {
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "rollback refused");
        }
        return;
    }
    let keep = done.is_some();
    turn.done.extend(done);
    let mut batch = Batch {
        tx,
        id: turn.id,
        opened: turn.opened,
        done: std::mem::take(&mut turn.done),
        timed: turn.timed,
        abandoned: false,
    };
    if turn.savepoint {
        let sql = if keep { RELEASE } else { UNDO };
        if let Err(e) = run(&mut batch.tx, sql).await {
            // This request's work cannot be ended cleanly (SQLite may have
            // rolled the whole transaction back): none of it is committed.
            return fail(batch, e);
        }
    }
    let queued = turn.waiting.load(Ordering::Acquire) > 0;
    if !now && queued && batch.done.len() < BATCH_REQUESTS && batch.opened.elapsed() < BATCH_AGE {
        if !batch.timed {
            batch.timed = true;
            tokio::spawn(expire(OwnedMutexGuard::mutex(&turn.slot).clone(), batch.id));
        }
        *turn.slot = Some(batch);
    } else {
        settle(batch).await;
    }
}

/// Runs a statement of the batch's own (savepoints) on `conn`.
async fn run(conn: &mut AnyConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    conn.execute(sql).await.map(drop)
}

/// Commits the batch `id` once it is [`BATCH_AGE`] old, if it is still open
/// (its last writer left it to one that gave up or went away).
async fn expire(slot: Arc<Mutex<Option<Batch>>>, id: u64) {
    tokio::time::sleep(BATCH_AGE).await;
    let mut slot = slot.lock_owned().await;
    if slot.as_ref().is_some_and(|b| b.id == id) {
        if let Some(batch) = slot.take() {
            settle(batch).await;
        }
    }
}

/// Commits the batch (after rolling back an abandoned savepoint) and tells
/// each of its requests how it ended.
async fn settle(mut batch: Batch) {
    if batch.abandoned {
        if let Err(e) = run(&mut batch.tx, UNDO).await {
            return fail(batch, e);
        }
    }
    let committed = batch.tx.commit().await.map_err(fault);
    for done in batch.done {
        let _ = done.send(committed);
    }
}

/// Rolls the whole batch back (sqlx does it when the transaction drops):
/// each of its requests is answered with the fault.
fn fail(batch: Batch, cause: sqlx::Error) {
    tracing::warn!(requests = batch.done.len(), "write batch rolled back");
    let fault = fault(cause);
    for done in batch.done {
        let _ = done.send(Err(fault));
    }
}

/// The fault a failed batch answers its requests with (logged with its
/// cause): a refused write is retried later, like a full or read-only
/// database.
fn fault(cause: sqlx::Error) -> Fault {
    match StoreError::from(cause) {
        StoreError::Unavailable(fault) => fault,
        _ => Fault::Unavailable,
    }
}
