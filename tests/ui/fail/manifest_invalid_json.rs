bold360_macros::bold360_api!(path = "${BOLD360_UI_MANIFESTS}/invalid-json", extension = Broken);

fn main() {}
