//! The revocation state of each product, versioned.

use sqlx::Row;

use super::table::fetch_all;
use super::{now, SqlStore, Tx};
use crate::store::{Released, RevocationState, RevocationStore};
use crate::store::{StoreError, StoreResult};

#[async_trait::async_trait]
impl RevocationStore for SqlStore {
    async fn revocation_sequence(&self, product_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT revocation_seq FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("product"))?;
        Ok(row.try_get("revocation_seq")?)
    }

    async fn revocation_state(&self, product_id: &str, now: i64) -> StoreResult<RevocationState> {
        let row =
            sqlx::query("SELECT revocation_seq, revocation_updated_at FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("product"))?;
        let licenses = fetch_all(
            &self.pool,
            "SELECT id FROM licenses WHERE product_id = $1 AND status = 'revoked' ORDER BY id",
            [product_id.into()],
            |r| Ok(r.try_get("id")?),
        )
        .await?;
        let released = fetch_all(&self.pool, RELEASED, [product_id.into(), now.into()], |r| {
            Ok(Released {
                license_id: r.try_get("license_id")?,
                fingerprint: r.try_get("fingerprint")?,
                lease: r.try_get::<i64, _>("lease")? == 1,
                at: r.try_get("at")?,
            })
        })
        .await?;
        Ok(RevocationState {
            sequence: row.try_get("revocation_seq")?,
            updated_at: row.try_get("revocation_updated_at")?,
            licenses,
            released,
        })
    }
}

/// The machines that gave a license of product `$1` back, at `$2`: a
/// deactivated activation while its license has not ended (expiry plus
/// the policy's grace), a returned lease while the lease has not; neither
/// when the machine holds the license again (a live activation, an
/// unreturned lease), nor for a revoked license (named whole). A machine
/// activated by telephone is named by a digest only (`typed:`), and has no
/// file to refuse: never listed.
const RELEASED: &str = "\
    SELECT a.license_id, a.fingerprint, 0 AS lease, MAX(a.deactivated_at) AS at \
    FROM activations a JOIN licenses l ON l.id = a.license_id \
    JOIN policies p ON p.id = l.policy_id \
    WHERE l.product_id = $1 AND l.status <> 'revoked' AND a.deactivated_at IS NOT NULL \
    AND a.fingerprint NOT LIKE 'typed:%' \
    AND (l.expires_at IS NULL OR l.expires_at + COALESCE(p.grace_days, 0) * 86400 > $2) \
    AND NOT EXISTS (SELECT 1 FROM activations b WHERE b.license_id = a.license_id \
        AND b.fingerprint = a.fingerprint AND b.deactivated_at IS NULL) \
    GROUP BY a.license_id, a.fingerprint \
    UNION ALL \
    SELECT e.license_id, e.fingerprint, 1 AS lease, MAX(e.returned_at) AS at \
    FROM leases e JOIN licenses l ON l.id = e.license_id \
    WHERE l.product_id = $1 AND l.status <> 'revoked' AND e.returned_at IS NOT NULL \
    AND e.expires_at > $2 \
    AND NOT EXISTS (SELECT 1 FROM leases f WHERE f.license_id = e.license_id \
        AND f.fingerprint = e.fingerprint AND f.returned_at IS NULL AND f.expires_at > $2) \
    GROUP BY e.license_id, e.fingerprint \
    ORDER BY license_id, fingerprint, lease";

/// A product's revocation list changed: a new sequence, dated now.
pub(super) async fn bump_revocation(tx: &mut Tx, product_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(product_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The list of license `license_id`'s product changed (a machine gave it
/// back): a new sequence, dated now.
pub(super) async fn bump_revocation_of(tx: &mut Tx, license_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE products SET revocation_seq = revocation_seq + 1, revocation_updated_at = $1 \
         WHERE id = (SELECT product_id FROM licenses WHERE id = $2)",
    )
    .bind(now())
    .bind(license_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}
