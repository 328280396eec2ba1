//! Hiroba (広場): a federated participation server for municipalities.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod federation;
pub mod http;
pub mod i18n;
pub mod markdown;
pub mod services;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod web;
