//! Compiles the IPADIC dictionary kept in `dictionaries/ipadic/` into the form the word
//! cloud's tokeniser embeds, once per clean build and without any download.

use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;
use lindera_dictionary::dictionary::schema::Schema;

const ARCHIVE: &str = "dictionaries/ipadic/mecab-ipadic-2.7.0-20070801.tar.gz";

/// IPADIC's own description: its files are EUC-JP, and a word of a user dictionary given
/// as `surface,reading` is a proper noun (context id 1288, 名詞,固有名詞,一般).
fn ipadic_metadata() -> Metadata {
    Metadata::new(
        "ipadic".into(),
        "EUC-JP".into(),
        -10000,
        1288,
        1288,
        "*".into(),
        false,
        false,
        false,
        Schema::default(),
        Schema::new(vec![
            "surface".into(),
            "reading".into(),
            "pronunciation".into(),
        ]),
    )
}

fn unpack(archive: &Path, into: &Path) {
    let file = std::fs::File::open(archive)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", archive.display()));
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(into)
        .unwrap_or_else(|e| panic!("cannot unpack {}: {e}", archive.display()));
}

fn main() {
    println!("cargo:rerun-if-changed={ARCHIVE}");
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    let built = out.join("lindera-ipadic");
    let stamp = built.join("built-from");
    let source_len = std::fs::metadata(ARCHIVE)
        .unwrap_or_else(|e| panic!("{ARCHIVE}: {e}"))
        .len()
        .to_string();
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(source_len.as_str()) {
        let source = out.join("ipadic-source");
        let _ = std::fs::remove_dir_all(&source);
        let _ = std::fs::remove_dir_all(&built);
        unpack(Path::new(ARCHIVE), &source);
        DictionaryBuilder::new(ipadic_metadata())
            .build_dictionary(&source.join("ipadic"), &built)
            .unwrap_or_else(|e| panic!("cannot build the IPADIC dictionary: {e}"));
        let _ = std::fs::remove_dir_all(&source);
        std::fs::write(&stamp, &source_len).expect("write the build stamp");
    }
    // `embedded_dictionary!` reads the built files from here.
    println!("cargo:rustc-env=LINDERA_WORKDIR={}", out.display());
}
