bold360_macros::bold360_api!(path = "../../../../tests/ui/manifests/invalid-json", extension = Broken);

fn main() {}
