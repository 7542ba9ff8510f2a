//! `enum_table!`: an enum whose variants each carry a fixed value, written
//! as one table — a row a variant — instead of the enum, a list of its
//! variants and a `match`, three places to keep in step by hand.

/// Declares a fieldless enum from a table. Each row is a variant (its doc
/// and attributes, its number when the enum has them) and, after `=>`, its
/// value. Generates the enum, `ALL` (every variant, in declaration order),
/// and the accessor named in the header, which gives each variant's value.
///
/// ```ignore
/// enum_table! {
///     /// A colour.
///     #[derive(Debug, Clone, Copy)]
///     pub enum Colour {
///         /// Every colour, in declaration order.
///         pub const ALL;
///         /// Its name.
///         pub fn name(self) -> &'static str;
///
///         /// The first one.
///         Red = 1 => "red",
///         /// The second one.
///         Green = 2 => "green",
///     }
/// }
/// ```
macro_rules! enum_table {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(#[$all_meta:meta])*
            $all_vis:vis const ALL;
            $(#[$fn_meta:meta])*
            $fn_vis:vis fn $value_fn:ident(self) -> $value_ty:ty;

            $(
                $(#[$variant_meta:meta])*
                $variant:ident $(= $number:literal)? => $value:expr
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant $(= $number)?, )+
        }

        impl $name {
            $(#[$all_meta])*
            $all_vis const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            $(#[$fn_meta])*
            $fn_vis fn $value_fn(self) -> $value_ty {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }
    };
}
