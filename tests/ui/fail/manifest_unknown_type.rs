bold360_macros::bold360_api!(path = "${BOLD360_UI_MANIFESTS}/unknown-type", extension = Broken);

fn main() {}
