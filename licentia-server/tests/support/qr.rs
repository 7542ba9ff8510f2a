//! A real QR decoder (rqrr) reading the SVG QR codes licentia draws
//! (`licentia_server::qr::svg`), for the console's and the command line's
//! tests.

/// What a QR decoder reads in licentia's SVG: its unit squares
/// (`M{x} {y}h1v1h-1z`) drawn at 3 pixels a module, black on white, and
/// decoded by rqrr.
pub fn scan(svg: &str) -> String {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an SVG with a viewBox: {svg}"));
    let path = svg
        .split(" d=\"")
        .nth(1)
        .expect("a path")
        .split('"')
        .next()
        .unwrap();
    let mut dark = vec![false; side * side];
    for square in path.split('M').filter(|s| !s.is_empty()) {
        let xy: Vec<usize> = square
            .trim_end_matches("h1v1h-1z")
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        dark[xy[1] * side + xy[0]] = true;
    }
    const PX: usize = 3;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side * PX, side * PX, |x, y| {
        if dark[(y / PX) * side + x / PX] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the QR code decodes").1
}
