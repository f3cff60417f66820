fn main() {
    println!("cargo example");
}
