-- The pixel size of uploaded images, for OCPI Image width/height. NULL for images uploaded before
-- this migration (OCPI makes both fields optional; they are left out for those).
ALTER TABLE location_photos ADD COLUMN width INTEGER;
ALTER TABLE location_photos ADD COLUMN height INTEGER;
ALTER TABLE cpo_owners ADD COLUMN logo_width INTEGER;
ALTER TABLE cpo_owners ADD COLUMN logo_height INTEGER;
