//! The integration suite: every test starts a real server on port 0 with a fresh database
//! and runs once on SQLite and once on PostgreSQL.

mod accounts;
mod backlinks;
mod batch;
mod browser;
mod chromium;
mod city_to_city;
mod cli;
mod comments;
mod crash_safety;
mod errors;
mod event_log;
mod federation;
mod federation_inbox;
mod gotosocial;
mod group_software;
mod health;
mod helpers;
mod interop;
mod layers;
mod memory;
mod method_wire;
mod methods;
mod migrations;
mod moderation;
mod municipality;
mod openapi;
mod peer;
mod proposals;
mod theme_removal;
mod themes;
mod tls;
mod two_instances;
mod web;
mod web_methods;
mod web_staff;
