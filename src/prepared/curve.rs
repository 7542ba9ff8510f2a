//! Variable-time edwards25519 arithmetic for fixed-base combs: the field from
//! fiat-crypto (formally verified), the point formulas curve25519-dalek
//! uses (extended twisted Edwards coordinates, a = −1, complete), and
//! tables of affine Niels points.
//!
//! Variable time is sound here: a verifier handles only public data (the
//! key, the message, the signature). Nothing in this file sees a secret.
//!
//! Why not curve25519-dalek's own `EdwardsBasepointTable`? Its
//! multiplication is constant time (every lookup scans its row of eight),
//! and its table is built with one field inversion per entry; measured on
//! the reference machine, two of them plus compression came to 0.76–0.81× a
//! `verify_strict`, and building the table to 1.3 ms. Its point types are
//! private, so a variable-time lookup cannot be written over them.

use core::cmp::Ordering;
use std::sync::OnceLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use fiat_crypto::curve25519_64 as fiat;

/// A field element mod p = 2^255 − 19, with fiat-crypto's tight bounds.
#[derive(Clone, Copy)]
pub(super) struct Fe(fiat::fiat_25519_tight_field_element);

/// A field element with loose bounds: the output of an addition or a
/// subtraction, the input of a multiplication.
#[derive(Clone, Copy)]
struct Loose(fiat::fiat_25519_loose_field_element);

impl Fe {
    const ZERO: Fe = Fe(fiat::fiat_25519_tight_field_element([0; 5]));
    const ONE: Fe = Fe(fiat::fiat_25519_tight_field_element([1, 0, 0, 0, 0]));

    /// The low 255 bits of `bytes`, reduced mod p (the top bit is ignored).
    fn from_bytes(bytes: &[u8; 32]) -> Fe {
        let mut masked = *bytes;
        masked[31] &= 0x7f;
        let mut out = Fe::ZERO;
        fiat::fiat_25519_from_bytes(&mut out.0, &masked);
        out
    }

    fn from_u64(n: u64) -> Fe {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        Fe::from_bytes(&bytes)
    }

    /// The canonical (fully reduced) little-endian encoding.
    fn to_bytes(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        fiat::fiat_25519_to_bytes(&mut out, &self.0);
        out
    }

    /// Whether the canonical value is odd (Ed25519's "negative").
    fn is_odd(self) -> bool {
        self.to_bytes()[0] & 1 == 1
    }

    fn equals(self, other: Fe) -> bool {
        self.to_bytes() == other.to_bytes()
    }

    fn relax(self) -> Loose {
        let mut out = Loose(fiat::fiat_25519_loose_field_element([0; 5]));
        fiat::fiat_25519_relax(&mut out.0, &self.0);
        out
    }

    fn add(self, other: Fe) -> Loose {
        let mut out = Loose(fiat::fiat_25519_loose_field_element([0; 5]));
        fiat::fiat_25519_add(&mut out.0, &self.0, &other.0);
        out
    }

    fn sub(self, other: Fe) -> Loose {
        let mut out = Loose(fiat::fiat_25519_loose_field_element([0; 5]));
        fiat::fiat_25519_sub(&mut out.0, &self.0, &other.0);
        out
    }

    fn neg(self) -> Fe {
        let mut out = Loose(fiat::fiat_25519_loose_field_element([0; 5]));
        fiat::fiat_25519_opp(&mut out.0, &self.0);
        out.carry()
    }

    fn mul(self, other: Fe) -> Fe {
        self.relax().mul(other.relax())
    }

    fn square(self) -> Fe {
        self.relax().square()
    }

    /// `self^(2^k)`.
    fn pow2k(self, k: u32) -> Fe {
        (0..k).fold(self, |z, _| z.square())
    }

    /// `(self^(2^250 − 1), self^11)`: the common start of the inversion
    /// and of the square root (the addition chain curve25519-dalek uses).
    fn pow22501(self) -> (Fe, Fe) {
        let t0 = self.square(); // 2
        let t1 = t0.square().square(); // 8
        let t2 = self.mul(t1); // 9
        let t3 = t0.mul(t2); // 11
        let t4 = t3.square(); // 22
        let t5 = t2.mul(t4); // 2^5 − 1
        let t7 = t5.pow2k(5).mul(t5); // 2^10 − 1
        let t9 = t7.pow2k(10).mul(t7); // 2^20 − 1
        let t11 = t9.pow2k(20).mul(t9); // 2^40 − 1
        let t13 = t11.pow2k(10).mul(t7); // 2^50 − 1
        let t15 = t13.pow2k(50).mul(t13); // 2^100 − 1
        let t17 = t15.pow2k(100).mul(t15); // 2^200 − 1
        let t19 = t17.pow2k(50).mul(t13); // 2^250 − 1
        (t19, t3)
    }

    /// `self^(p − 2)`, the inverse (zero for zero).
    fn invert(self) -> Fe {
        let (t19, t3) = self.pow22501();
        t19.pow2k(5).mul(t3) // 2^255 − 21 = p − 2
    }

    /// `self^((p − 5) / 8) = self^(2^252 − 3)`.
    fn pow_p58(self) -> Fe {
        let (t19, _) = self.pow22501();
        t19.pow2k(2).mul(self)
    }
}

impl Loose {
    fn carry(self) -> Fe {
        let mut out = Fe::ZERO;
        fiat::fiat_25519_carry(&mut out.0, &self.0);
        out
    }

    fn mul(self, other: Loose) -> Fe {
        let mut out = Fe::ZERO;
        fiat::fiat_25519_carry_mul(&mut out.0, &self.0, &other.0);
        out
    }

    fn square(self) -> Fe {
        let mut out = Fe::ZERO;
        fiat::fiat_25519_carry_square(&mut out.0, &self.0);
        out
    }
}

/// The constants, computed once from their definitions (no magic limbs).
struct Constants {
    /// d = −121665 / 121666.
    d: Fe,
    /// 2d.
    d2: Fe,
    /// A square root of −1: 2^((p − 1) / 4), 2 being a non-residue.
    sqrt_m1: Fe,
    /// The table of the basepoint B, shared by every key.
    basepoint: Table,
    /// The canonical encodings of the eight points of small order.
    torsion: [[u8; 32]; 8],
}

fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let d = Fe::from_u64(121_665)
            .neg()
            .mul(Fe::from_u64(121_666).invert());
        let d2 = d.add(d).carry();
        // 2^(2^253 − 5) = (2^(2^250 − 1))^8 · 2^3.
        let (t19, _) = Fe::from_u64(2).pow22501();
        let sqrt_m1 = t19.pow2k(3).mul(Fe::from_u64(8));
        let basepoint_bytes = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        let basepoint = decompress_with(&basepoint_bytes, d, sqrt_m1)
            .map(|b| Table::of(&b, d2))
            // B decompresses: the tests check it; never taken.
            .unwrap_or_else(Table::identity);
        Constants {
            d,
            d2,
            sqrt_m1,
            basepoint,
            torsion: EIGHT_TORSION.map(|t| t.compress().to_bytes()),
        }
    })
}

/// A point in extended coordinates: x = X/Z, y = Y/Z, xy = T/Z.
#[derive(Clone, Copy)]
pub(super) struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

/// The output of an addition or a doubling, before the last products.
struct Completed {
    x: Loose,
    y: Loose,
    z: Loose,
    t: Loose,
}

/// An affine point as an addition wants it: (y + x, y − x, 2dxy).
#[derive(Clone, Copy)]
struct Niels {
    y_plus_x: Fe,
    y_minus_x: Fe,
    xy2d: Fe,
}

impl Completed {
    fn extended(&self) -> Point {
        Point {
            x: self.x.mul(self.t),
            y: self.y.mul(self.z),
            z: self.z.mul(self.t),
            t: self.x.mul(self.y),
        }
    }
}

impl Point {
    const IDENTITY: Point = Point {
        x: Fe::ZERO,
        y: Fe::ONE,
        z: Fe::ONE,
        t: Fe::ZERO,
    };

    fn neg(&self) -> Point {
        Point {
            x: self.x.neg(),
            y: self.y,
            z: self.z,
            t: self.t.neg(),
        }
    }

    /// `self + q` for a point in extended coordinates (add-2008-hwcd-3).
    fn add(&self, q: &Point, d2: Fe) -> Point {
        let a = self.y.sub(self.x).mul(q.y.sub(q.x));
        let b = self.y.add(self.x).mul(q.y.add(q.x));
        let c = self.t.mul(d2).mul(q.t);
        let zz = self.z.mul(q.z);
        let d = zz.add(zz).carry();
        Completed {
            x: b.sub(a),
            y: b.add(a),
            z: d.add(c),
            t: d.sub(c),
        }
        .extended()
    }

    /// `self ± q` for an affine Niels point (madd-2008-hwcd-3).
    fn add_niels(&self, q: &Niels, subtract: bool) -> Point {
        let (plus, minus) = if subtract {
            (q.y_minus_x, q.y_plus_x)
        } else {
            (q.y_plus_x, q.y_minus_x)
        };
        let pp = self.y.add(self.x).mul(plus.relax());
        let mm = self.y.sub(self.x).mul(minus.relax());
        let txy2d = self.t.mul(q.xy2d);
        let z2 = self.z.add(self.z).carry();
        let (z, t) = if subtract {
            (z2.sub(txy2d), z2.add(txy2d))
        } else {
            (z2.add(txy2d), z2.sub(txy2d))
        };
        Completed {
            x: pp.sub(mm),
            y: pp.add(mm),
            z,
            t,
        }
        .extended()
    }

    /// `2·self` (dbl-2008-hwcd).
    fn double(&self) -> Point {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let zz2 = zz.add(zz).carry();
        let x_plus_y_sq = self.x.add(self.y).square();
        let yy_plus_xx = yy.add(xx).carry();
        let yy_minus_xx = yy.sub(xx).carry();
        Completed {
            x: x_plus_y_sq.sub(yy_plus_xx),
            y: yy_plus_xx.relax(),
            z: yy_minus_xx.relax(),
            t: zz2.sub(yy_minus_xx),
        }
        .extended()
    }

    /// The 32-byte encoding: y, with the parity of x in the top bit.
    pub(super) fn compress(&self) -> [u8; 32] {
        let z_inv = self.z.invert();
        let x = self.x.mul(z_inv);
        let mut bytes = self.y.mul(z_inv).to_bytes();
        bytes[31] |= u8::from(x.is_odd()) << 7;
        bytes
    }
}

/// Decodes a point as curve25519-dalek's `CompressedEdwardsY::decompress`
/// does (y taken mod p, the sign bit applied even to x = 0).
pub(super) fn decompress(bytes: &[u8; 32]) -> Option<Point> {
    let c = constants();
    decompress_with(bytes, c.d, c.sqrt_m1)
}

fn decompress_with(bytes: &[u8; 32], d: Fe, sqrt_m1: Fe) -> Option<Point> {
    let y = Fe::from_bytes(bytes);
    let yy = y.square();
    // x² = u / v with u = y² − 1, v = d·y² + 1.
    let u = yy.sub(Fe::ONE).carry();
    let v = d.mul(yy).add(Fe::ONE).carry();
    let v3 = v.square().mul(v);
    let v7 = v3.square().mul(v);
    let mut x = u.mul(v3).mul(u.mul(v7).pow_p58());
    let check = v.mul(x.square());
    if !check.equals(u) {
        if !check.equals(u.neg()) {
            return None; // u / v is not a square: no point has this y
        }
        x = x.mul(sqrt_m1);
    }
    if x.is_odd() != (bytes[31] >> 7 == 1) {
        x = x.neg();
    }
    Some(Point {
        x,
        y,
        z: Fe::ONE,
        t: x.mul(y),
    })
}

// The trade-off, measured (paired ratio of `PreparedKey::verify_strict` to
// a bare `verify_strict`, BENCHMARKS.md): W = 4, M = 2, 30 KiB per key,
// 0.52×; W = 5, M = 3, 34 KiB, 0.48×; W = 6, M = 3, 56 KiB, 0.44×. The
// smallest table is kept: a product holds one or two keys, and a few KiB
// more buy little.

/// Window width: signed digits in radix 2^W, each in −2^(W−1)..=2^(W−1).
const W: usize = 4;
/// Digits per table row: row `r` serves digits `r·M .. r·M + M`, one
/// between each run of W doublings (M − 1 runs in all).
const M: usize = 2;
/// Digits of a scalar below 2^255.
const DIGITS: usize = 256_usize.div_ceil(W);
/// Rows of a table.
const ROWS: usize = DIGITS.div_ceil(M);
/// Multiples per row: 1 to 2^(W−1).
const ENTRIES: usize = 1 << (W - 1);

/// Multiples of one point for a comb: `entries[r][e]` is
/// `(e + 1)·2^(W·M·r)·P`, as affine Niels points. With W = 4 and M = 2:
/// 32 rows of 8, 3 field elements of 40 bytes each: 30,720 bytes.
#[derive(Clone)]
pub(super) struct Table {
    entries: Box<[[Niels; ENTRIES]; ROWS]>,
}

/// The heap bytes of one table.
pub(super) const TABLE_BYTES: usize = core::mem::size_of::<[[Niels; ENTRIES]; ROWS]>();

const NIELS_IDENTITY: Niels = Niels {
    y_plus_x: Fe::ONE,
    y_minus_x: Fe::ONE,
    xy2d: Fe::ZERO,
};

impl Table {
    /// Every entry the identity: only as the `Err` arm of a conversion
    /// that cannot fail.
    fn identity() -> Table {
        Table {
            entries: Box::new([[NIELS_IDENTITY; ENTRIES]; ROWS]),
        }
    }

    /// The table of `p`: its points in extended coordinates, then one
    /// inversion for all of them (Montgomery's trick).
    fn of(p: &Point, d2: Fe) -> Table {
        // On the heap: tens of KiB of points would be a lot for the stack
        // of a thread the C ABI is called from.
        let mut flat: Vec<Point> = Vec::with_capacity(ROWS * ENTRIES);
        let mut base = *p;
        for _ in 0..ROWS {
            let mut multiple = base;
            flat.push(multiple);
            for _ in 1..ENTRIES {
                multiple = multiple.add(&base, d2);
                flat.push(multiple);
            }
            // 2^(W·M)·base = 2^(W−1)·base doubled W·M − W + 1 times.
            base = (0..W * M - W + 1).fold(multiple, |q, _| q.double());
        }
        // Montgomery's trick: prefix products of every Z, one inversion.
        let mut prefix = Vec::with_capacity(flat.len());
        let mut acc = Fe::ONE;
        for q in &flat {
            prefix.push(acc);
            acc = acc.mul(q.z);
        }
        let mut inv = acc.invert();
        let mut z_inv = vec![Fe::ZERO; flat.len()];
        for i in (0..flat.len()).rev() {
            z_inv[i] = inv.mul(prefix[i]);
            inv = inv.mul(flat[i].z);
        }
        let rows: Vec<[Niels; ENTRIES]> = flat
            .chunks_exact(ENTRIES)
            .zip(z_inv.chunks_exact(ENTRIES))
            .map(|(points, z_inv)| {
                let mut row = [NIELS_IDENTITY; ENTRIES];
                for ((entry, q), z_inv) in row.iter_mut().zip(points).zip(z_inv) {
                    let x = q.x.mul(*z_inv);
                    let y = q.y.mul(*z_inv);
                    *entry = Niels {
                        y_plus_x: y.add(x).carry(),
                        y_minus_x: y.sub(x).carry(),
                        xy2d: x.mul(y).mul(d2),
                    };
                }
                row
            })
            .collect();
        match rows.into_boxed_slice().try_into() {
            Ok(entries) => Table { entries },
            // ROWS · ENTRIES points make ROWS rows: never taken.
            Err(_) => Table::identity(),
        }
    }

    /// Adds `digit·2^(W·M·r)·P` to `acc`; nothing for 0.
    fn add_digit(&self, acc: &Point, r: usize, digit: i8) -> Point {
        match digit.cmp(&0) {
            Ordering::Greater => acc.add_niels(&self.entries[r][digit as usize - 1], false),
            Ordering::Less => {
                acc.add_niels(&self.entries[r][digit.unsigned_abs() as usize - 1], true)
            }
            Ordering::Equal => *acc,
        }
    }
}

/// The table of `p`.
pub(super) fn table(p: &Point) -> Table {
    Table::of(p, constants().d2)
}

/// `p`'s negation.
pub(super) fn negate(p: &Point) -> Point {
    p.neg()
}

/// Signed radix-2^W digits of a scalar below 2^255, each in
/// −2^(W−1)..=2^(W−1) (curve25519-dalek's `as_radix_2w`, for W < 8).
fn digits(scalar: &[u8; 32]) -> [i8; DIGITS] {
    let mut limbs = [0u64; 4];
    for (limb, bytes) in limbs.iter_mut().zip(scalar.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        *limb = u64::from_le_bytes(word);
    }
    let radix = 1u64 << W;
    let mut digits = [0i8; DIGITS];
    let mut carry = 0u64;
    for (i, digit) in digits.iter_mut().enumerate() {
        let (limb, bit) = (i * W / 64, i * W % 64);
        let window = if bit + W <= 64 || limb == 3 {
            limbs[limb] >> bit
        } else {
            (limbs[limb] >> bit) | (limbs[limb + 1] << (64 - bit))
        };
        let coefficient = carry + (window & (radix - 1));
        carry = (coefficient + radix / 2) >> W;
        *digit = (coefficient as i64 - (carry << W) as i64) as i8;
    }
    // The scalar is below 2^255, so the top digit takes the last carry.
    digits[DIGITS - 1] += (carry << W) as i8;
    digits
}

/// `[s]B + [k]P` for `P` the point of `table`, both scalars below 2^255,
/// in variable time: both combs share one accumulator and its
/// (M − 1)·W doublings; a zero digit adds nothing.
pub(super) fn double_base(s: &[u8; 32], k: &[u8; 32], table: &Table) -> Point {
    let basepoint = &constants().basepoint;
    let (s, k) = (digits(s), digits(k));
    let mut acc = Point::IDENTITY;
    for phase in (0..M).rev() {
        for r in 0..ROWS {
            let i = r * M + phase;
            if i < DIGITS {
                acc = basepoint.add_digit(&acc, r, s[i]);
                acc = table.add_digit(&acc, r, k[i]);
            }
        }
        if phase > 0 {
            for _ in 0..W {
                acc = acc.double();
            }
        }
    }
    acc
}

/// Whether `encoding` is the canonical encoding of a point of small order.
pub(super) fn is_small_order_encoding(encoding: &[u8; 32]) -> bool {
    constants().torsion.contains(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::{EdwardsPoint, Scalar};

    #[test]
    fn the_constants_are_what_they_claim() {
        let c = constants();
        // d·121666 = −121665.
        assert!(c
            .d
            .mul(Fe::from_u64(121_666))
            .equals(Fe::from_u64(121_665).neg()));
        assert!(c.sqrt_m1.square().equals(Fe::ONE.neg()));
        assert!(c.d2.equals(c.d.add(c.d).carry()));
        // The basepoint decodes to itself.
        let b = ED25519_BASEPOINT_POINT.compress().to_bytes();
        assert_eq!(decompress(&b).unwrap().compress(), b);
    }

    #[test]
    fn decompression_agrees_with_curve25519_dalek() {
        // Every y from 0 to 299, both signs, and the non-canonical y ≥ p.
        let mut candidates: Vec<[u8; 32]> = (0u16..300)
            .map(|y| {
                let mut bytes = [0u8; 32];
                bytes[..2].copy_from_slice(&y.to_le_bytes());
                bytes
            })
            .collect();
        for y in 0u8..19 {
            let mut bytes = [0xffu8; 32];
            bytes[0] = 0xed + y;
            bytes[31] = 0x7f;
            candidates.push(bytes);
        }
        let mut points = 0;
        for mut bytes in candidates {
            for sign in [0, 0x80] {
                bytes[31] = (bytes[31] & 0x7f) | sign;
                let dalek = CompressedEdwardsY(bytes).decompress();
                let ours = decompress(&bytes);
                assert_eq!(dalek.is_some(), ours.is_some(), "{bytes:02x?}");
                if let (Some(dalek), Some(ours)) = (dalek, ours) {
                    assert_eq!(dalek.compress().to_bytes(), ours.compress());
                    points += 1;
                }
            }
        }
        assert!(points > 100);
    }

    #[test]
    fn the_double_base_multiplication_agrees_with_curve25519_dalek() {
        let a = ED25519_BASEPOINT_POINT * Scalar::from(987_654_321u64) + EIGHT_TORSION[3];
        let ours = decompress(&a.compress().to_bytes()).unwrap();
        let table = table(&ours);
        let mut s = Scalar::from(3u64);
        let mut k = Scalar::from(0u64);
        for n in 0u64..40 {
            let expected = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &a, &s);
            let got = double_base(s.as_bytes(), k.as_bytes(), &table);
            assert_eq!(got.compress(), expected.compress().to_bytes(), "n = {n}");
            // Scalars of every size, up to ℓ − 1 (−1 mod ℓ).
            s = s * Scalar::from(0x1_0000_0001u64) + Scalar::from(n);
            k = -(k + s);
        }
        assert_eq!(
            double_base(Scalar::ZERO.as_bytes(), Scalar::ZERO.as_bytes(), &table).compress(),
            curve25519_dalek::EdwardsPoint::default()
                .compress()
                .to_bytes()
        );
    }

    #[test]
    fn small_order_encodings_are_the_eight_torsion_points() {
        for t in EIGHT_TORSION {
            assert!(is_small_order_encoding(&t.compress().to_bytes()));
        }
        let b = ED25519_BASEPOINT_POINT.compress().to_bytes();
        assert!(!is_small_order_encoding(&b));
    }
}
