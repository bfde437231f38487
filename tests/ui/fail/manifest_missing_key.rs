bold360_macros::bold360_api!(path = "${BOLD360_UI_MANIFESTS}/missing-key", extension = Broken);

fn main() {}
