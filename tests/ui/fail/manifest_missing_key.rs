bold360_macros::bold360_api!(path = "../../../../tests/ui/manifests/missing-key", extension = Broken);

fn main() {}
