//! CSV files for people and for programs: people get column names and values in the page's
//! language (「年代」「30代」), programs ask with `?codes=1` for stable codes (`age_band`,
//! `30s`). Files are UTF-8 with a byte order mark, so spreadsheets read Japanese.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::context::PageCtx;
use super::{PageResult, WebError};
use crate::error::AppError;

/// `?codes=1` asks for the file in codes.
#[derive(Debug, Default, Deserialize)]
pub struct CsvQuery {
    #[serde(default)]
    pub codes: Option<String>,
}

impl CsvQuery {
    pub fn wants_codes(&self) -> bool {
        matches!(
            self.codes.as_deref().map(str::trim),
            Some("1" | "true" | "yes")
        )
    }
}

/// A value with its code for programs and its words for people.
pub struct Cell {
    pub code: String,
    pub label: String,
}

impl Cell {
    /// A value that reads the same for both (a number, a person's text).
    pub fn same(value: impl Into<String>) -> Cell {
        let value = value.into();
        Cell {
            code: value.clone(),
            label: value,
        }
    }

    pub fn coded(code: impl Into<String>, label: impl Into<String>) -> Cell {
        Cell {
            code: code.into(),
            label: label.into(),
        }
    }
}

/// A table being written: columns named by code and label, rows of cells.
pub struct Table {
    codes: bool,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with `columns` as (code, label in the page's language).
    pub fn new(query: &CsvQuery, columns: Vec<(String, String)>) -> Table {
        let codes = query.wants_codes();
        let header = columns
            .into_iter()
            .map(|(code, label)| if codes { code } else { label })
            .collect();
        Table {
            codes,
            header,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>) {
        let codes = self.codes;
        self.rows.push(
            cells
                .into_iter()
                .map(|c| if codes { c.code } else { c.label })
                .collect(),
        );
    }

    /// The file to download as `name` (`.csv` added; `-codes` for the coded form, so the two
    /// are not mistaken for each other).
    pub fn file(self, name: &str) -> PageResult {
        let name = if self.codes {
            format!("{name}-codes.csv")
        } else {
            format!("{name}.csv")
        };
        let mut rows = vec![self.header];
        rows.extend(self.rows);
        csv_file(&name, rows)
    }
}

/// A column as (code, label).
pub fn column(code: &str, label: String) -> (String, String) {
    (code.to_string(), label)
}

/// "yes"/"no" for programs, はい/いいえ for people.
pub fn yes_no(ctx: &PageCtx, value: bool) -> Cell {
    if value {
        Cell::coded("yes", crate::t!(ctx, "csv-yes"))
    } else {
        Cell::coded("no", crate::t!(ctx, "csv-no"))
    }
}

fn csv_file(name: &str, rows: Vec<Vec<String>>) -> PageResult {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| WebError(AppError::Internal(e.into())))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| WebError(AppError::Internal(anyhow::anyhow!("csv: {e}"))))?;
    let mut response: Response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
