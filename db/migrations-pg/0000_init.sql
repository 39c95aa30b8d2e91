CREATE TABLE "auth_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"token_tag" text NOT NULL,
	"booth_id" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"last_seen_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booth_pairings" (
	"id" text PRIMARY KEY NOT NULL,
	"booth_id" text NOT NULL,
	"code_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "booths" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"last_seen_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "event_stats" (
	"event_id" text NOT NULL,
	"hour" bigint NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"photos_uploaded" integer DEFAULT 0 NOT NULL,
	"pictures" integer DEFAULT 0 NOT NULL,
	"take_home_opens" integer DEFAULT 0 NOT NULL,
	"downloads" integer DEFAULT 0 NOT NULL,
	"prints" integer DEFAULT 0 NOT NULL,
	"telegram_deliveries" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_stats_event_id_hour_pk" PRIMARY KEY("event_id","hour")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"starts_at" timestamp (3) with time zone,
	"ends_at" timestamp (3) with time zone,
	"locale" text DEFAULT 'en' NOT NULL,
	"caption" text,
	"theme" jsonb NOT NULL,
	"layouts" jsonb NOT NULL,
	"max_photos" integer NOT NULL,
	"ready_at" integer NOT NULL,
	"session_ttl_minutes" double precision NOT NULL,
	"retention_days" integer NOT NULL,
	"print_qr" boolean NOT NULL,
	"slideshow_qr" boolean DEFAULT false NOT NULL,
	"consent_text" text,
	"wifi" jsonb,
	"frame_key" text,
	"host_token" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pictures" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"session_id" text,
	"token" text NOT NULL,
	"storage_key" text NOT NULL,
	"content_type" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"reset_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_changes" (
	"session_id" text NOT NULL,
	"version" integer NOT NULL,
	"snapshot" text NOT NULL,
	CONSTRAINT "session_changes_session_id_version_pk" PRIMARY KEY("session_id","version")
);
--> statement-breakpoint
CREATE TABLE "session_photos" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"photo_type" text NOT NULL,
	"order_index" integer NOT NULL,
	"content_type" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bytes" integer NOT NULL,
	"thumb_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"telegram_file_id" text,
	"telegram_update_id" bigint,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"telegram_user_id" bigint,
	"telegram_username" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"event_id" text NOT NULL,
	"booth_id" text,
	"max_photos" integer NOT NULL,
	"ready_at" integer NOT NULL,
	"layout" text
);
--> statement-breakpoint
CREATE TABLE "telegram_links" (
	"session_id" text PRIMARY KEY NOT NULL,
	"start_token" text NOT NULL,
	"chat_id" bigint,
	"user_id" bigint,
	"language_code" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"linked_at" timestamp (3) with time zone,
	"delivered_result_id" text,
	"consented_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "telegram_updates" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"payload" text,
	"chat_id" bigint,
	"state" text DEFAULT 'done' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_by" text,
	"claimed_until" timestamp (3) with time zone,
	"processed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "upload_slots" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booth_pairings" ADD CONSTRAINT "booth_pairings_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booths" ADD CONSTRAINT "booths_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_stats" ADD CONSTRAINT "event_stats_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pictures" ADD CONSTRAINT "pictures_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pictures" ADD CONSTRAINT "pictures_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_changes" ADD CONSTRAINT "session_changes_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_photos" ADD CONSTRAINT "session_photos_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_booth_id_booths_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."booths"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telegram_links" ADD CONSTRAINT "telegram_links_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_slots" ADD CONSTRAINT "upload_slots_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auth_sessions_expires_at_idx" ON "auth_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "auth_sessions_booth_idx" ON "auth_sessions" USING btree ("booth_id");--> statement-breakpoint
CREATE INDEX "booth_pairings_code_idx" ON "booth_pairings" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "booth_pairings_booth_idx" ON "booth_pairings" USING btree ("booth_id");--> statement-breakpoint
CREATE INDEX "booths_event_idx" ON "booths" USING btree ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_default_idx" ON "events" USING btree ("is_default") WHERE is_default = true;--> statement-breakpoint
CREATE INDEX "events_created_at_idx" ON "events" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "events_host_token_idx" ON "events" USING btree ("host_token");--> statement-breakpoint
CREATE UNIQUE INDEX "pictures_token_idx" ON "pictures" USING btree ("token");--> statement-breakpoint
CREATE UNIQUE INDEX "pictures_session_idx" ON "pictures" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "pictures_event_idx" ON "pictures" USING btree ("event_id","created_at");--> statement-breakpoint
CREATE INDEX "pictures_expires_at_idx" ON "pictures" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "rate_limits_reset_at_idx" ON "rate_limits" USING btree ("reset_at");--> statement-breakpoint
CREATE UNIQUE INDEX "session_photos_order_idx" ON "session_photos" USING btree ("session_id","photo_type","order_index");--> statement-breakpoint
CREATE UNIQUE INDEX "session_photos_telegram_update_idx" ON "session_photos" USING btree ("telegram_update_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_created_at_idx" ON "sessions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sessions_event_idx" ON "sessions" USING btree ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "telegram_links_start_token_idx" ON "telegram_links" USING btree ("start_token");--> statement-breakpoint
CREATE INDEX "telegram_links_chat_idx" ON "telegram_links" USING btree ("chat_id","linked_at");--> statement-breakpoint
CREATE INDEX "telegram_updates_received_at_idx" ON "telegram_updates" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "telegram_updates_state_idx" ON "telegram_updates" USING btree ("state","update_id");--> statement-breakpoint
CREATE INDEX "telegram_updates_chat_idx" ON "telegram_updates" USING btree ("chat_id","update_id");--> statement-breakpoint
CREATE INDEX "upload_slots_session_idx" ON "upload_slots" USING btree ("session_id","expires_at");